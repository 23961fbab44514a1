"""A deterministic ToolBackend over a world: the catalogue's tools, no side effects.

Tools are listed from the real catalogue (same names, descriptions and input schemas as
MCP lists), arguments are validated by each tool's own input model, read tools answer
from the world, and every mutating tool answers `approval_required` with the action id it
would get and exactly what would run, as production does. Nothing is ever changed.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from evals.world import World
from evals.world_reads import READS, Result
from graph.tooling import ToolSpec, tool_result
from tools.catalogue import CATALOGUE


def catalogue_specs() -> list[ToolSpec]:
    """The catalogue as the planner sees it over MCP."""
    return [
        ToolSpec(
            name=tool.name,
            description=tool.description,
            input_schema=tool.input_model.model_json_schema(),
            mutating=tool.mutating,
        )
        for tool in CATALOGUE
    ]


def _not_found(summary: str) -> Result:
    return tool_result("error", summary, {"error": "not_found"})


def _approval(world: World, will_run: str) -> Result:
    action_id = world.next_action_id()
    return tool_result(
        "approval_required",
        f"Waiting for a person's approval: {will_run}.",
        {"action_id": action_id, "will_run": will_run},
    )


def _build_problem(world: World, job: str, build: int) -> Result | None:
    if job not in world.jobs:
        return _not_found(f"There is no Jenkins job {job}.")
    if build not in world.jobs[job].builds:
        return _not_found(f"{job} has no build {build}.")
    return None


def _mutation(world: World, name: str, args: dict[str, Any]) -> Result:
    """What a mutating tool would answer: approval_required, or an error for a bad target."""
    if name in ("acknowledge_incident", "resolve_incident"):
        number = args["incident_id"]
        incident = world.incidents.get(number)
        if incident is None:
            return _not_found(f"There is no incident {number}.")
        if incident.status == "resolved":
            return tool_result(
                "error", f"Incident {number} is already resolved.", {"error": "invalid_transition"}
            )
        verb = "acknowledge" if name == "acknowledge_incident" else "resolve"
        return _approval(world, f"{verb} incident {number}")
    if name in ("approve_action", "reject_action"):
        number = args["action_id"]
        action = world.actions.get(number)
        if action is None:
            return _not_found(f"There is no action {number}.")
        if action.status not in ("requested", "awaiting_approval"):
            return tool_result(
                "error", f"Action {number} is {action.status}.", {"error": "invalid_transition"}
            )
        verb = "approve" if name == "approve_action" else "reject"
        return _approval(
            world, f"{verb} action {number} ({action.type} {action.job} #{action.build})"
        )
    build_key = "target_build" if name == "request_jenkins_rollback" else "build"
    job, build = args["job"], args[build_key]
    problem = _build_problem(world, job, build)
    if problem is not None:
        return problem
    verb = {
        "request_jenkins_restart": "rebuild",
        "request_jenkins_rollback": "roll back to",
        "request_jenkins_stop": "stop",
    }[name]
    parameters = world.jobs[job].builds[build].parameters
    suffix = f" with {parameters}" if parameters and verb != "stop" else ""
    return _approval(world, f"{verb} {job} #{build}{suffix}")


class WorldBackend:
    """The evals' ToolBackend: answers from a world, records every call it was asked."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._specs = catalogue_specs()
        self._tools = {tool.name: tool for tool in CATALOGUE}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def list_tools(self) -> list[ToolSpec]:
        """The catalogue's tools."""
        return list(self._specs)

    async def call_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Answer one call from the world, in the shared result shape."""
        self.calls.append((name, dict(args)))
        tool = self._tools.get(name)
        if tool is None:
            return tool_result("error", f"There is no tool {name}.", {"error": "not_found"})
        try:
            parsed = tool.input_model.model_validate(args).model_dump(mode="json")
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            return tool_result(
                "error",
                f"Invalid argument {field}: {first['msg']}.",
                {"error": "invalid_argument", "field": field},
            )
        if tool.mutating:
            return _mutation(self._world, name, parsed)
        return READS[name](self._world, parsed)
