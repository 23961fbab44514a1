"""The tool catalogue: one typed definition per tool, served over MCP, REST and to the agent.

Names and argument names are a contract (ARCHITECTURE.md, "Tool catalogue").
Importing this module opens no connection; descriptions are package files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Generic, TypeVar

from mcp_types import ToolAnnotations
from pydantic import BaseModel

from tools.context import ToolServices
from tools.handlers import actions, incidents, jenkins, logs, server
from tools.models import actions as am
from tools.models import incidents as im
from tools.models import jenkins as jm
from tools.models import logs as lm
from tools.models import server as sm
from tools.results import ToolResult

InputT = TypeVar("InputT", bound=BaseModel)
OutputT = TypeVar("OutputT", bound=ToolResult[Any])

Handler = Callable[[ToolServices, InputT, str], Awaitable[OutputT]]


@dataclass(frozen=True)
class ToolDefinition(Generic[InputT, OutputT]):
    """One tool: its contract (name, schemas, hints) and the handler behind it."""

    name: str
    title: str
    description: str
    input_model: type[InputT]
    output_model: type[OutputT]
    mutating: bool
    annotations: ToolAnnotations
    handler: Handler[InputT, OutputT]


def _description(name: str) -> str:
    return (resources.files("tools.descriptions") / f"{name}.md").read_text("utf-8").strip()


def _read(
    name: str,
    title: str,
    input_model: type[InputT],
    output_model: type[OutputT],
    handler: Handler[InputT, OutputT],
    *,
    open_world: bool = False,
) -> ToolDefinition[InputT, OutputT]:
    return ToolDefinition(
        name=name,
        title=title,
        description=_description(name),
        input_model=input_model,
        output_model=output_model,
        mutating=False,
        annotations=ToolAnnotations(title=title, read_only_hint=True, open_world_hint=open_world),
        handler=handler,
    )


def _mutating(
    name: str,
    title: str,
    input_model: type[InputT],
    output_model: type[OutputT],
    handler: Handler[InputT, OutputT],
    *,
    destructive: bool,
    idempotent: bool,
    open_world: bool,
) -> ToolDefinition[InputT, OutputT]:
    return ToolDefinition(
        name=name,
        title=title,
        description=_description(name),
        input_model=input_model,
        output_model=output_model,
        mutating=True,
        annotations=ToolAnnotations(
            title=title,
            read_only_hint=False,
            destructive_hint=destructive,
            idempotent_hint=idempotent,
            open_world_hint=open_world,
        ),
        handler=handler,
    )


CATALOGUE: tuple[ToolDefinition[Any, Any], ...] = (
    # Reads run at once.
    _read(
        "get_active_incidents",
        "Open incidents",
        im.GetActiveIncidentsInput,
        im.IncidentListResult,
        incidents.get_active_incidents,
    ),
    _read(
        "get_critical_incidents",
        "Critical incidents",
        im.GetCriticalIncidentsInput,
        im.IncidentListResult,
        incidents.get_critical_incidents,
    ),
    _read(
        "get_incident",
        "Incident details",
        im.GetIncidentInput,
        im.IncidentResult,
        incidents.get_incident,
    ),
    _read(
        "get_incidents_stats",
        "Incident figures",
        im.GetIncidentsStatsInput,
        im.IncidentStatsResult,
        incidents.get_incidents_stats,
    ),
    _read(
        "read_jenkins_logs",
        "Jenkins logs",
        lm.ReadJenkinsLogsInput,
        lm.JenkinsLogsResult,
        logs.read_jenkins_logs,
    ),
    _read("read_api_logs", "API logs", lm.ReadApiLogsInput, lm.ApiLogsResult, logs.read_api_logs),
    _read(
        "get_server_status",
        "System health",
        sm.NoArguments,
        sm.ServerStatusResult,
        server.get_server_status,
        open_world=True,
    ),
    _read(
        "get_action_status",
        "Action status",
        am.GetActionStatusInput,
        am.ActionResult,
        actions.get_action_status,
    ),
    _read(
        "get_actions_stats",
        "Action figures",
        am.GetActionsStatsInput,
        am.ActionsStatsResult,
        actions.get_actions_stats,
    ),
    _read(
        "list_jenkins_jobs",
        "Jenkins jobs",
        jm.ListJenkinsJobsInput,
        jm.JenkinsJobsResult,
        jenkins.list_jenkins_jobs,
        open_world=True,
    ),
    _read(
        "get_build_status",
        "Jenkins build status",
        jm.GetBuildStatusInput,
        jm.BuildStatusResult,
        jenkins.get_build_status,
        open_world=True,
    ),
    # Mutations: the agent asks a person first unless policy marks them safe.
    _mutating(
        "acknowledge_incident",
        "Acknowledge incident",
        im.AcknowledgeIncidentInput,
        im.IncidentResult,
        incidents.acknowledge_incident,
        destructive=False,
        idempotent=True,
        open_world=False,
    ),
    _mutating(
        "resolve_incident",
        "Resolve incident",
        im.ResolveIncidentInput,
        im.IncidentResult,
        incidents.resolve_incident,
        destructive=False,
        idempotent=True,
        open_world=False,
    ),
    _mutating(
        "request_jenkins_restart",
        "Restart Jenkins build",
        am.RequestJenkinsRestartInput,
        am.ActionResult,
        actions.request_jenkins_restart,
        destructive=False,
        idempotent=False,
        open_world=True,
    ),
    _mutating(
        "request_jenkins_rollback",
        "Roll back Jenkins job",
        am.RequestJenkinsRollbackInput,
        am.ActionResult,
        actions.request_jenkins_rollback,
        destructive=True,
        idempotent=False,
        open_world=True,
    ),
    _mutating(
        "request_jenkins_stop",
        "Stop Jenkins build",
        am.RequestJenkinsStopInput,
        am.ActionResult,
        actions.request_jenkins_stop,
        destructive=True,
        idempotent=True,
        open_world=True,
    ),
    _mutating(
        "approve_action",
        "Approve action",
        am.ApproveActionInput,
        am.ActionResult,
        actions.approve_action,
        destructive=True,
        idempotent=True,
        open_world=True,
    ),
    _mutating(
        "reject_action",
        "Reject action",
        am.RejectActionInput,
        am.ActionResult,
        actions.reject_action,
        destructive=False,
        idempotent=True,
        open_world=False,
    ),
)

TOOLS_BY_NAME: dict[str, ToolDefinition[Any, Any]] = {tool.name: tool for tool in CATALOGUE}


def tool_named(name: str) -> ToolDefinition[Any, Any] | None:
    """The definition of `name`, or None when the catalogue has no such tool."""
    return TOOLS_BY_NAME.get(name)
