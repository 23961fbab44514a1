"""The catalogue is a contract: names, argument names, hints and descriptions."""

from __future__ import annotations

import json

import pytest

from tools.catalogue import CATALOGUE, TOOLS_BY_NAME

# ARCHITECTURE.md "Tool catalogue", copied here on purpose: a change must be deliberate.
EXPECTED_READ = {
    "get_active_incidents": {"limit", "severity"},
    "get_critical_incidents": {"limit"},
    "get_incident": {"incident_id"},
    "get_incidents_stats": {"hours"},
    "read_jenkins_logs": {"job", "level", "query", "since", "limit"},
    "read_api_logs": {"status", "method", "query", "since", "limit"},
    "get_server_status": set(),
    "get_action_status": {"action_id"},
    "get_actions_stats": {"hours"},
    "list_jenkins_jobs": {"query"},
    "get_build_status": {"job", "build"},
}
EXPECTED_MUTATING = {
    "acknowledge_incident": {"incident_id"},
    "resolve_incident": {"incident_id", "notes"},
    "request_jenkins_restart": {"job", "build", "reason"},
    "request_jenkins_rollback": {"job", "target_build", "reason"},
    "request_jenkins_stop": {"job", "build", "reason"},
    "approve_action": {"action_id"},
    "reject_action": {"action_id", "reason"},
}
EXPECTED_REQUIRED = {
    "get_incident": {"incident_id"},
    "get_build_status": {"job", "build"},
    "get_action_status": {"action_id"},
    "acknowledge_incident": {"incident_id"},
    "resolve_incident": {"incident_id"},
    "request_jenkins_restart": {"job", "build"},
    "request_jenkins_rollback": {"job", "target_build"},
    "request_jenkins_stop": {"job", "build"},
    "approve_action": {"action_id"},
    "reject_action": {"action_id"},
}


def test_names_are_exactly_the_documented_ones() -> None:
    names = [tool.name for tool in CATALOGUE]
    assert len(names) == len(set(names))
    assert set(names) == set(EXPECTED_READ) | set(EXPECTED_MUTATING)


@pytest.mark.parametrize("name", sorted({**EXPECTED_READ, **EXPECTED_MUTATING}))
def test_argument_names_and_required_ones(name: str) -> None:
    schema = TOOLS_BY_NAME[name].input_model.model_json_schema()
    expected = {**EXPECTED_READ, **EXPECTED_MUTATING}[name]
    assert set(schema.get("properties", {})) == expected
    assert set(schema.get("required", [])) == EXPECTED_REQUIRED.get(name, set())
    assert schema.get("additionalProperties") is False


def test_mutating_flag_and_hints() -> None:
    for tool in CATALOGUE:
        hints = tool.annotations
        if tool.name in EXPECTED_READ:
            assert not tool.mutating and hints.read_only_hint is True, tool.name
        else:
            assert tool.mutating and hints.read_only_hint is False, tool.name
            assert hints.destructive_hint is not None and hints.idempotent_hint is not None
    destructive = {t.name for t in CATALOGUE if t.annotations.destructive_hint}
    assert destructive == {"request_jenkins_rollback", "request_jenkins_stop", "approve_action"}


@pytest.mark.parametrize("tool", CATALOGUE, ids=lambda tool: tool.name)
def test_descriptions_say_when_and_show_examples_in_two_languages(tool: object) -> None:
    description = TOOLS_BY_NAME[tool.name].description  # type: ignore[attr-defined]
    assert "Use it" in description and "Do not use it" in description
    examples = [line for line in description.splitlines() if line.startswith("Example:")]
    assert examples
    for line in examples:
        english_spanish, _, arguments = line.removeprefix("Example:").partition(" -> ")
        assert english_spanish.count('" / "') == 1, line  # "English" / "Español"
        # the example's arguments are a valid call
        TOOLS_BY_NAME[tool.name].input_model.model_validate(json.loads(arguments))  # type: ignore[attr-defined]


@pytest.mark.parametrize("tool", CATALOGUE, ids=lambda tool: tool.name)
def test_output_schema_is_the_result_envelope(tool: object) -> None:
    schema = TOOLS_BY_NAME[tool.name].output_model.model_json_schema()  # type: ignore[attr-defined]
    assert set(schema["required"]) == {"status", "summary", "data"}
    assert set(schema["properties"]["status"]["enum"]) == {
        "ok",
        "no_data",
        "error",
        "approval_required",
        "refused",
    }
