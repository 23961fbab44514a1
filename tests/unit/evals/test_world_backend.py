"""The world file and the deterministic backend: reads from the world, changes only proposed."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.backend import WorldBackend
from evals.world import WorldError, load_world, parse_world
from graph.grounding import job_names
from tools.catalogue import CATALOGUE

WORLD = load_world()


def backend() -> WorldBackend:
    return WorldBackend(WORLD)


def test_bad_world_names_the_field() -> None:
    with pytest.raises(WorldError, match=r"w.yaml: jobs.a.builds.1.result"):
        parse_world({"jobs": {"a": {"builds": {1: {"result": "GREEN"}}}}}, source="w.yaml")
    with pytest.raises(WorldError, match="unknown job 'nope'"):
        parse_world(
            {
                "jobs": {},
                "incidents": {
                    1: {
                        "rule": "r",
                        "severity": "low",
                        "status": "detected",
                        "summary": "s",
                        "job": "nope",
                    }
                },
            }
        )


def test_unreadable_world_file(tmp_path: Path) -> None:
    with pytest.raises(WorldError, match="missing.yaml"):
        load_world(tmp_path / "missing.yaml")


async def test_lists_the_catalogue_with_schemas_and_mutating_flags() -> None:
    specs = await backend().list_tools()
    assert [spec.name for spec in specs] == [tool.name for tool in CATALOGUE]
    restart = next(spec for spec in specs if spec.name == "request_jenkins_restart")
    assert restart.mutating and restart.input_schema["required"] == ["job", "build"]


async def test_jobs_listing_feeds_grounding_with_full_folder_names() -> None:
    result = await backend().call_tool("list_jenkins_jobs", {})
    assert "team/deploy-prod" in job_names(result["data"])
    filtered = await backend().call_tool("list_jenkins_jobs", {"query": "ETL"})
    assert job_names(filtered["data"]) == ["data/etl.daily"]


async def test_reads_answer_from_the_world() -> None:
    build = await backend().call_tool("get_build_status", {"job": "deploy-prod", "build": 124})
    assert build["status"] == "ok" and build["data"]["building"] is True
    missing = await backend().call_tool("get_build_status", {"job": "deploy-prod", "build": 999})
    assert missing["status"] == "error" and "no build 999" in missing["summary"]
    critical = await backend().call_tool("get_critical_incidents", {})
    assert [item["id"] for item in critical["data"]["incidents"]][:2] == [47, 43]
    api = await backend().call_tool("read_api_logs", {"status": "5xx"})
    assert [record["status"] for record in api["data"]["records"]] == [503]
    none = await backend().call_tool("read_jenkins_logs", {"job": "billing-nightly"})
    assert none["status"] == "no_data"


async def test_changes_are_only_proposed_with_what_would_run() -> None:
    world_backend = backend()
    result = await world_backend.call_tool(
        "request_jenkins_rollback",
        {"job": "team/deploy-prod", "target_build": 43, "reason": "r18 broke"},
    )
    assert result["status"] == "approval_required"
    assert result["data"] == {
        "action_id": 13,
        "will_run": "roll back to team/deploy-prod #43 with {'RELEASE': 'r17'}",
    }
    again = await world_backend.call_tool(
        "request_jenkins_rollback", {"job": "team/deploy-prod", "target_build": 43}
    )
    assert again["data"]["action_id"] == 13  # nothing was recorded in the world
    assert len(world_backend.calls) == 2


@pytest.mark.parametrize(
    ("tool", "args", "phrase"),
    [
        ("acknowledge_incident", {"incident_id": 99}, "no incident 99"),
        ("resolve_incident", {"incident_id": 40}, "already resolved"),
        ("approve_action", {"action_id": 5}, "is succeeded"),
        ("reject_action", {"action_id": 77}, "no action 77"),
        ("request_jenkins_stop", {"job": "nope", "build": 1}, "no Jenkins job nope"),
        ("get_incident", {"incident_id": "x"}, "Invalid argument incident_id"),
        ("drop_database", {}, "no tool drop_database"),
    ],
)
async def test_bad_targets_and_arguments_are_errors(
    tool: str, args: dict[str, object], phrase: str
) -> None:
    result = await backend().call_tool(tool, args)
    assert result["status"] == "error"
    assert phrase in result["summary"]
