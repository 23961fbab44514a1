"""The explicit-command parser, as a table of cases in English and Spanish."""

from __future__ import annotations

from typing import Any

import pytest

from graph.commands import parse_command

CASES: list[tuple[str, str | None, dict[str, Any], str]] = [
    # English
    (
        "restart deploy-prod 123",
        "request_jenkins_restart",
        {"job": "deploy-prod", "build": 123},
        "en",
    ),
    (
        "/devops restart deploy-prod #123",
        "request_jenkins_restart",
        {"job": "deploy-prod", "build": 123},
        "en",
    ),
    (
        "Restart deploy-prod build 123",
        "request_jenkins_restart",
        {"job": "deploy-prod", "build": 123},
        "en",
    ),
    (
        "restart folder/deploy-prod 9",
        "request_jenkins_restart",
        {"job": "folder/deploy-prod", "build": 9},
        "en",
    ),
    ("restart deploy-prod", "request_jenkins_restart", {"job": "deploy-prod"}, "en"),
    (
        "rollback api-gateway 57",
        "request_jenkins_rollback",
        {"job": "api-gateway", "target_build": 57},
        "en",
    ),
    (
        "rollback api-gateway to 57",
        "request_jenkins_rollback",
        {"job": "api-gateway", "target_build": 57},
        "en",
    ),
    ("stop deploy-prod 124", "request_jenkins_stop", {"job": "deploy-prod", "build": 124}, "en"),
    ("ack 42", "acknowledge_incident", {"incident_id": 42}, "en"),
    ("ack", "acknowledge_incident", {}, "en"),
    ("resolve 42", "resolve_incident", {"incident_id": 42}, "en"),
    (
        "resolve 42 fixed by rerun",
        "resolve_incident",
        {"incident_id": 42, "notes": "fixed by rerun"},
        "en",
    ),
    ("approve 7", "approve_action", {"action_id": 7}, "en"),
    ("reject 7 not now", "reject_action", {"action_id": 7, "reason": "not now"}, "en"),
    ("incidents", "get_active_incidents", {}, "en"),
    ("status", "get_server_status", {}, "en"),
    ("status deploy-prod 123", "get_build_status", {"job": "deploy-prod", "build": 123}, "en"),
    ("help", None, {}, "en"),
    ("  HELP  ", None, {}, "en"),
    # Spanish
    (
        "reinicia deploy-prod 123",
        "request_jenkins_restart",
        {"job": "deploy-prod", "build": 123},
        "es",
    ),
    (
        "reiniciar deploy-prod 123",
        "request_jenkins_restart",
        {"job": "deploy-prod", "build": 123},
        "es",
    ),
    (
        "revertir api-gateway 57",
        "request_jenkins_rollback",
        {"job": "api-gateway", "target_build": 57},
        "es",
    ),
    (
        "revertir api-gateway a 57",
        "request_jenkins_rollback",
        {"job": "api-gateway", "target_build": 57},
        "es",
    ),
    ("detener deploy-prod 124", "request_jenkins_stop", {"job": "deploy-prod", "build": 124}, "es"),
    ("para deploy-prod 124", "request_jenkins_stop", {"job": "deploy-prod", "build": 124}, "es"),
    ("reconoce 42", "acknowledge_incident", {"incident_id": 42}, "es"),
    ("resuelve 42 arreglado", "resolve_incident", {"incident_id": 42, "notes": "arreglado"}, "es"),
    ("aprueba 7", "approve_action", {"action_id": 7}, "es"),
    ("rechaza 7 ahora no", "reject_action", {"action_id": 7, "reason": "ahora no"}, "es"),
    ("incidentes", "get_active_incidents", {}, "es"),
    ("estado", "get_server_status", {}, "es"),
    ("estado deploy-prod 123", "get_build_status", {"job": "deploy-prod", "build": 123}, "es"),
    ("ayuda", None, {}, "es"),
]

NOT_COMMANDS = [
    "restart build 123 of deploy-prod",
    "restart it",
    "reinicia el build 123 de deploy-prod",
    "please restart deploy-prod 123 now",
    "show me the incidents",
    "para qué sirve esto",
    "what is the status of deploy-prod?",
    "help me find the failing job",
    "",
    "stop\nrestart deploy-prod 1",
]


@pytest.mark.parametrize(("text", "tool", "args", "language"), CASES)
def test_commands_map_to_tools(
    text: str, tool: str | None, args: dict[str, Any], language: str
) -> None:
    parsed = parse_command(text)
    assert parsed is not None
    assert (parsed.tool, parsed.args, parsed.language) == (tool, args, language)


@pytest.mark.parametrize("text", NOT_COMMANDS)
def test_natural_language_is_left_to_the_model(text: str) -> None:
    assert parse_command(text) is None
