"""Test doubles passed through the composition root: a tool world and a scripted chat model.

The catalogue mirrors ARCHITECTURE.md's tool names and argument names; the schemas are
what pydantic would produce for those inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel

from graph.tooling import ToolSpec, is_mutating, tool_result


class _Limit(BaseModel):
    limit: int | None = None


class _Active(BaseModel):
    limit: int | None = None
    severity: Literal["low", "medium", "high", "critical"] | None = None


class _Incident(BaseModel):
    incident_id: int


class _Stats(BaseModel):
    hours: int | None = None


class _JenkinsLogs(BaseModel):
    job: str | None = None
    level: str | None = None
    query: str | None = None
    since: str | None = None
    limit: int | None = None


class _ApiLogs(BaseModel):
    status: int | None = None
    method: str | None = None
    query: str | None = None
    since: str | None = None
    limit: int | None = None


class _Nothing(BaseModel):
    pass


class _Action(BaseModel):
    action_id: int


class _Jobs(BaseModel):
    query: str | None = None


class _Build(BaseModel):
    job: str
    build: int


class _Resolve(BaseModel):
    incident_id: int
    notes: str | None = None


class _Restart(BaseModel):
    job: str
    build: int
    reason: str | None = None


class _Rollback(BaseModel):
    job: str
    target_build: int
    reason: str | None = None


class _Reject(BaseModel):
    action_id: int
    reason: str | None = None


_CATALOGUE: tuple[tuple[str, str, type[BaseModel], bool], ...] = (
    ("get_active_incidents", "List open incidents, newest first.", _Active, True),
    ("get_critical_incidents", "List open critical incidents.", _Limit, True),
    ("get_incident", "One incident with its details.", _Incident, True),
    ("get_incidents_stats", "Incident counts, MTTA and MTTR.", _Stats, True),
    ("read_jenkins_logs", "Search Jenkins logs by job, level or text.", _JenkinsLogs, True),
    ("read_api_logs", "Search API logs by status, method or text.", _ApiLogs, True),
    ("get_server_status", "Health of the orchestrator and its parts.", _Nothing, True),
    ("get_action_status", "Status of one remediation action.", _Action, True),
    ("get_actions_stats", "Counts of remediation actions by status.", _Stats, True),
    ("list_jenkins_jobs", "Jenkins jobs, optionally filtered by name.", _Jobs, True),
    ("get_build_status", "Status of one Jenkins build.", _Build, True),
    ("acknowledge_incident", "Acknowledge an incident.", _Incident, False),
    ("resolve_incident", "Resolve an incident with optional notes.", _Resolve, False),
    ("request_jenkins_restart", "Request a restart (rebuild) of a build.", _Restart, False),
    ("request_jenkins_rollback", "Request a rollback to an earlier build.", _Rollback, False),
    ("request_jenkins_stop", "Request to stop a running build.", _Restart, False),
    ("approve_action", "Approve a pending action.", _Action, False),
    ("reject_action", "Reject a pending action.", _Reject, False),
)


def catalogue() -> list[ToolSpec]:
    """ToolSpecs as the MCP listing would give them."""
    return [
        ToolSpec(
            name=name,
            description=description,
            input_schema=model.model_json_schema(),
            mutating=is_mutating(name, read_only_hint=read_only),
        )
        for name, description, model, read_only in _CATALOGUE
    ]


@dataclass
class FakeWorld:
    """A deterministic tool backend: a few jobs, builds, incidents and actions; calls recorded."""

    jobs: dict[str, range] = field(
        default_factory=lambda: {"deploy-prod": range(100, 124), "api-gateway": range(40, 58)}
    )
    incidents: set[int] = field(default_factory=lambda: {42})
    actions: set[int] = field(default_factory=lambda: {7})
    log_lines: list[str] = field(default_factory=lambda: ["build 123 failed: exit 1"])
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    next_action: int = 8

    async def list_tools(self) -> list[ToolSpec]:
        return catalogue()

    def mutating_calls(self) -> list[tuple[str, dict[str, Any]]]:
        names = {spec.name for spec in catalogue() if spec.mutating}
        return [call for call in self.calls if call[0] in names]

    async def call_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, dict(args)))
        if name == "list_jenkins_jobs":
            return tool_result(
                "ok", f"{len(self.jobs)} jobs", {"jobs": [{"name": j} for j in self.jobs]}
            )
        if name == "get_build_status":
            builds = self.jobs.get(args["job"])
            if builds is None or args["build"] not in builds:
                return tool_result("error", f"build {args['job']} #{args['build']} does not exist")
            return tool_result(
                "ok", f"{args['job']} #{args['build']} is SUCCESS", {"result": "SUCCESS"}
            )
        if name in ("get_incident", "acknowledge_incident", "resolve_incident"):
            if args["incident_id"] not in self.incidents:
                return tool_result("error", f"incident {args['incident_id']} does not exist")
            return tool_result(
                "ok", f"incident {args['incident_id']}: {name}", {"id": args["incident_id"]}
            )
        if name in ("get_action_status", "approve_action", "reject_action"):
            if args["action_id"] not in self.actions:
                return tool_result("error", f"action {args['action_id']} does not exist")
            return tool_result(
                "ok", f"action {args['action_id']}: {name}", {"action_id": args["action_id"]}
            )
        if name.startswith("request_jenkins_"):
            action_id, self.next_action = self.next_action, self.next_action + 1
            self.actions.add(action_id)
            return tool_result(
                "approval_required",
                f"action {action_id} awaits approval",
                {"action_id": action_id, "will_run": f"{name} {json.dumps(args, sort_keys=True)}"},
            )
        if name == "read_jenkins_logs":
            return tool_result("ok", f"{len(self.log_lines)} log lines", {"lines": self.log_lines})
        if name == "get_active_incidents":
            return tool_result(
                "ok",
                "1 active incident",
                {"incidents": [{"id": 42, "title": "deploy-prod failed"}]},
            )
        return tool_result("no_data", f"{name}: nothing to report")


class ScriptedChatModel(BaseChatModel):
    """Answers each call with the next scripted JSON value; records the prompts it saw."""

    script: list[Any]
    seen: list[list[BaseMessage]] = []
    call_kwargs: list[dict[str, Any]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: Sequence[BaseMessage], kwargs: dict[str, Any]) -> ChatResult:
        self.seen.append(list(messages))
        self.call_kwargs.append(kwargs)
        if not self.script:
            raise AssertionError("the model was called more often than scripted")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        text = item if isinstance(item, str) else json.dumps(item)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._next(messages, kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._next(messages, kwargs)


def scripted(*answers: Any) -> ScriptedChatModel:
    """A scripted model with its own (not shared) records."""
    return ScriptedChatModel(script=list(answers), seen=[], call_kwargs=[])


@dataclass
class PreviewWorld(FakeWorld):
    """The fake world with a server guard that answers previews (`verdict`) or fails."""

    verdict: dict[str, Any] | None = None
    failure: Exception | None = None
    previews: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def preview(self, name: str, args: dict[str, Any]) -> dict[str, Any] | None:
        self.previews.append((name, dict(args)))
        if self.failure is not None:
            raise self.failure
        return self.verdict
