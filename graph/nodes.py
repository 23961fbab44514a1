"""The graph's nodes: receive, plan, approve, act, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from graph.answering import call_text, render_results
from graph.commands import parse_command
from graph.context import AgentContext
from graph.errors import ModelFailed, ModelUnavailable
from graph.grounding import Grounder
from graph.language import Language, detect_language
from graph.phrases import say
from graph.planning import PlanRequest, plan_request
from graph.plans import Plan
from graph.prompting import HistoryItem
from graph.state import State
from graph.tooling import ToolSpec, acting_as, normalize_result, tool_result
from prompts import load_prompt

log = structlog.get_logger(__name__)

Update = dict[str, Any]

_ACTION_TOOLS = frozenset(
    {
        "request_jenkins_restart",
        "request_jenkins_rollback",
        "request_jenkins_stop",
        "approve_action",
        "reject_action",
        "get_action_status",
    }
)
_INCIDENT_TOOLS = frozenset({"acknowledge_incident", "resolve_incident", "get_incident"})


def _language(state: State) -> Language:
    return "es" if state.language == "es" else "en"


def receive(state: State) -> Update:
    """Start a turn: record the message and clear the previous turn's working values."""
    language = detect_language(state.message)
    return {
        "messages": [HumanMessage(state.message)],
        "language": language,
        "plan": None,
        "plan_source": None,
        "guard": None,
        "approval": None,
        "results": [],
        "steps": 0,
        "outcome": None,
        "answer": None,
    }


def _history(state: State) -> list[HistoryItem]:
    earlier = state.messages[:-1]  # the last one is this turn's message
    return [
        ("user" if isinstance(message, HumanMessage) else "assistant", str(message.content))
        for message in earlier
        if isinstance(message, HumanMessage | AIMessage)
    ]


def _focus_from_args(focus: Mapping[str, Any], args: Mapping[str, Any]) -> dict[str, Any]:
    updated = dict(focus)
    for key in ("job", "build", "incident_id", "action_id"):
        if args.get(key) is not None:
            updated[key] = args[key]
    return updated


def _tools_by_name(tools: list[ToolSpec]) -> dict[str, ToolSpec]:
    return {spec.name: spec for spec in tools}


async def plan(state: State, runtime: Runtime[AgentContext]) -> Update:
    """Decide the next step: an explicit command, or the model's grounded plan."""
    ctx = runtime.context
    language = _language(state)
    if state.steps >= ctx.max_steps:
        return {"outcome": "step_limit"}
    backend = acting_as(ctx.backend, state.actor)
    tools = _tools_by_name(await backend.list_tools())
    command = parse_command(state.message) if not state.results else None
    if command is not None:
        if command.tool is None:
            help_text = load_prompt("help_es" if command.language == "es" else "help_en")
            return {"plan": Plan.reply(help_text).as_dict(), "plan_source": "command"}
        grounded = await Grounder(backend, tools).ground(
            Plan.call(command.tool, command.args), language=language, focus=state.focus
        )
        return _planned(state, grounded, "command", tools)
    if ctx.llm is None:
        return {"outcome": "model_down"}
    request = PlanRequest(
        message=state.message,
        tools=list(tools.values()),
        history=_history(state),
        actor=state.actor,
        focus=state.focus,
        results=state.results,
    )
    try:
        decided = await plan_request(
            llm=ctx.llm, backend=backend, request=request, options=ctx.planner
        )
    except ModelUnavailable as error:
        log.warning("plan.model_unavailable", error=str(error))
        return {"outcome": "model_down"}
    except ModelFailed as error:
        log.error("plan.model_failed", error=str(error))
        return {"outcome": "model_error"}
    return _planned(state, decided, "model", tools)


def _planned(state: State, decided: Plan, source: str, tools: dict[str, ToolSpec]) -> Update:
    update: Update = {"plan": decided.as_dict(), "plan_source": source}
    if decided.kind != "tool" or decided.tool is None:
        return update
    spec = tools[decided.tool]
    update["plan"] = {**update["plan"], "mutating": spec.mutating}
    if state.results and spec.mutating:
        # Only a person's message may ask for a change, never a tool's output.
        log.warning("plan.change_after_tool_result_blocked", tool=decided.tool)
        return {**update, "outcome": "blocked"}
    if any(done["tool"] == decided.tool and done["args"] == decided.args for done in state.results):
        return {**update, "outcome": "repeat"}
    return {**update, "focus": _focus_from_args(state.focus, decided.args)}


async def approve(state: State, runtime: Runtime[AgentContext]) -> Update:
    """Ask a person before a change runs: which tool, which arguments, who asked, and what
    the guard says (found by the guard node, so a resumed interrupt shows the same)."""
    assert state.plan is not None
    planned = Plan.from_dict(state.plan)
    request = {
        "tool": planned.tool,
        "args": planned.args,
        "will_run": call_text(str(planned.tool), planned.args),
        "requested_by": state.actor,
        "channel": state.channel,
        "guard": state.guard,
    }
    answer = interrupt(request)
    decision, by = _decision(answer, default_by=state.actor)
    approved = decision == "approve" and runtime.context.may_approve(by)
    outcome = None if approved else ("not_approver" if decision == "approve" else "cancelled")
    log.info("approval.answered", tool=planned.tool, decision=decision, by=by, runs=approved)
    return {"approval": {**request, "decision": decision, "by": by}, "outcome": outcome}


def _decision(answer: object, *, default_by: str | None) -> tuple[str, str | None]:
    if isinstance(answer, Mapping):
        decision = str(answer.get("decision", "cancel")).strip().lower()
        by = answer.get("by", default_by)
        return ("approve" if decision == "approve" else "cancel"), (str(by) if by else None)
    decision = str(answer).strip().lower()
    return ("approve" if decision == "approve" else "cancel"), default_by


async def act(state: State, runtime: Runtime[AgentContext]) -> Update:
    """Run the planned tool through the backend and keep its structured result."""
    assert state.plan is not None
    planned = Plan.from_dict(state.plan)
    tool, args = str(planned.tool), dict(planned.args)
    try:
        backend = acting_as(runtime.context.backend, state.actor)
        result = normalize_result(await backend.call_tool(tool, args))
    except Exception as error:  # a transport failure is reported, never raised at the person
        log.error("act.tool_failed", tool=tool, error=str(error))
        result = tool_result("error", f"the call to {tool} failed: {type(error).__name__}")
    log.info("act.tool_called", tool=tool, status=result["status"])
    return {
        "results": [*state.results, {"tool": tool, "args": args, "result": result}],
        "steps": state.steps + 1,
        "focus": _focus_from_result(state.focus, tool, result),
    }


def _focus_from_result(
    focus: Mapping[str, Any], tool: str, result: Mapping[str, Any]
) -> dict[str, Any]:
    updated = dict(focus)
    data = result.get("data", {})
    if result.get("status") not in ("ok", "approval_required") or not isinstance(data, Mapping):
        return updated
    if tool in _ACTION_TOOLS:
        action_id = data.get("action_id", data.get("id"))
        if isinstance(action_id, int):
            updated["action_id"] = action_id
    elif tool in _INCIDENT_TOOLS and isinstance(data.get("id"), int):
        updated["incident_id"] = data["id"]
    return updated


def _compose(state: State) -> str:
    language = _language(state)
    planned = Plan.from_dict(state.plan) if state.plan else None
    results = render_results(state.results, language) if state.results else ""
    outcome = state.outcome
    if outcome in ("model_down", "model_error"):
        return say(outcome, language)
    if outcome == "cancelled":
        return say("cancelled", language)
    if outcome == "not_approver":
        who = (state.approval or {}).get("by") or "?"
        return say("not_approver", language, who=who)
    if outcome == "blocked" and planned is not None:
        blocked = say("blocked_followup", language, tool=call_text(str(planned.tool), planned.args))
        return f"{results}\n\n{blocked}" if results else blocked
    if outcome == "step_limit":
        return f"{say('step_limit', language, steps=state.steps)}\n\n{results}".strip()
    if outcome == "repeat" or (planned is not None and planned.kind == "tool"):
        return results or say("not_understood", language)
    if planned is not None and planned.text:
        return planned.text
    return results or say("not_understood", language)


def answer(state: State) -> Update:
    """Close the turn with one short answer and remember it in the transcript."""
    text = _compose(state)
    return {
        "answer": text,
        "outcome": state.outcome or "answered",
        "messages": [AIMessage(text)],
    }
