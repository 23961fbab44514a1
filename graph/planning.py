"""The planning step: the model picks one tool call, a question, or a reply; then grounding.

`plan_turn` is what the evals score and what the graph's plan node runs: same prompts,
same schema, same grounding.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import structlog
from langchain_core.language_models import BaseChatModel

from graph.attest import attest_args
from graph.grounding import Grounder, job_names
from graph.intent import imperative_change, same_target, vet_change, wanted_change
from graph.language import Language, detect_language
from graph.phrases import say
from graph.plan_schema import args_schema, choice_schema, plan_schema
from graph.plans import Plan, PlanKind
from graph.prompting import HistoryItem, args_messages, plan_messages, request_text
from graph.references import anchored_read, ordinal_reference
from graph.settings import PlannerOptions, PlannerSettings
from graph.structured import ModelAnswerInvalid, ask_json
from graph.textvalues import read_values
from graph.tooling import ToolBackend, ToolSpec, normalize_result

__all__ = ["Plan", "PlanKind", "PlanRequest", "plan_request", "plan_turn", "read_plan"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PlanRequest:
    """Everything one planning step looks at."""

    message: str
    tools: Sequence[ToolSpec]
    history: Sequence[HistoryItem] = ()
    actor: str | None = None
    focus: Mapping[str, Any] = field(default_factory=dict)
    results: Sequence[Mapping[str, Any]] = ()
    today: date | None = None


def read_plan(value: Any, language: Language) -> Plan:
    """The model's JSON as a Plan; anything unusable becomes a polite question."""
    if isinstance(value, Mapping):
        tool = value.get("tool")
        if isinstance(tool, str) and tool:
            args = value.get("args")
            return Plan.call(tool, dict(args) if isinstance(args, Mapping) else {})
        for kind in ("clarify", "reply"):
            text = value.get(kind)
            if isinstance(text, str) and text.strip():
                return Plan(kind="clarify" if kind == "clarify" else "reply", text=text.strip())
    return Plan.clarify(say("not_understood", language))


def _user_text(request: PlanRequest, options: PlannerOptions) -> str:
    history = list(request.history)[-options.history_turns :] if options.history_turns else []
    return request_text(
        request.message, history=history, focus=request.focus, results=request.results
    )


async def _ask_args(
    llm: BaseChatModel, spec: ToolSpec, request: PlanRequest, options: PlannerOptions
) -> Plan:
    """The arguments of one given tool, asked from that tool's schema alone."""
    today = request.today or datetime.now(UTC).date()
    messages = args_messages(
        spec, _user_text(request, options), today=today, few_shot=options.few_shot
    )
    try:
        args = await ask_json(llm, messages, args_schema(spec))
    except ModelAnswerInvalid as error:
        log.warning("plan.model_answer_invalid", error=str(error))
        args = {}
    return Plan.call(spec.name, dict(args) if isinstance(args, Mapping) else {})


def _names_a_target(message: str) -> bool:
    return bool(read_values(message).numbers) or bool(re.search(r"[\w.]+[-/.][\w.]+", message))


async def _second_look(
    llm: BaseChatModel,
    plan: Plan,
    request: PlanRequest,
    options: PlannerOptions,
    wanted: str | None,
) -> Plan:
    """When the person plainly asks for one change (a verb of its family and a target) and
    the model answered with another kind of change, or with a plain reply, ask for that
    change's arguments alone. The approval step and the guard still come after."""
    if request.results:
        return plan
    by_name = {spec.name: spec for spec in request.tools}
    if wanted is None or wanted not in by_name or plan.tool == wanted:
        return plan
    picked = by_name.get(plan.tool or "")
    other_change = picked is not None and picked.mutating and not same_target(wanted, picked.name)
    names_target = _names_a_target(request.message)
    plain_reply = plan.kind == "reply" and names_target
    # An order that opens the message ("vuelve a ejecutar X 502") answered with a read or
    # a question: the model missed the verb, not the target.
    looked_instead = (
        names_target
        and imperative_change(request.message) == wanted
        and (plan.kind == "clarify" or (picked is not None and not picked.mutating))
    )
    if not (other_change or plain_reply or looked_instead):
        return plan
    log.info("plan.second_look", model_tool=plan.tool, wanted=wanted)
    return await _ask_args(llm, by_name[wanted], request, options)


def _pointed_at(
    plan: Plan, request: PlanRequest, by_name: Mapping[str, ToolSpec], wanted: str | None
) -> Plan:
    """The read of the incident or action the message names by number, when the model
    replied, asked, or read the other kind of id ("action eleven" -> get_incident(11))."""
    if request.results or wanted is not None:
        return plan
    reference = anchored_read(request.message)
    if reference is None or reference.tool not in by_name or plan.tool == reference.tool:
        return plan
    picked = by_name.get(plan.tool or "")
    other_id = (
        picked is not None
        and not picked.mutating
        and bool({"incident_id", "action_id"} & set(picked.input_schema.get("properties", {})))
    )
    if plan.kind in ("reply", "clarify") or other_id:
        log.info("plan.pointed_at", model_tool=plan.tool, tool=reference.tool)
        return Plan.call(reference.tool, {reference.arg: reference.value})
    return plan


def _listed_item(
    request: PlanRequest, by_name: Mapping[str, ToolSpec], wanted: str | None
) -> Plan | None:
    """ "The second one" after a list: its read, or the change the person asks for on it."""
    if request.results:
        return None
    reference = ordinal_reference(request.message, request.history)
    if reference is None or reference.tool not in by_name:
        return None
    if wanted is None:
        return Plan.call(reference.tool, {reference.arg: reference.value})
    spec = by_name.get(wanted)
    if spec is not None and reference.arg in spec.input_schema.get("properties", {}):
        return Plan.call(wanted, {reference.arg: reference.value})
    return None  # a change on something else (the job of the incident): the model decides


async def _ask_model(
    llm: BaseChatModel, request: PlanRequest, options: PlannerOptions, language: Language
) -> Plan:
    by_name = {spec.name: spec for spec in request.tools}
    today = request.today or datetime.now(UTC).date()
    user_text = _user_text(request, options)
    two_step = options.mode == "two_step"
    messages = plan_messages(
        request.tools,
        user_text,
        today=today,
        actor=request.actor,
        few_shot=options.few_shot,
        names_only=two_step,
        similar_to=request.message,
        similar_k=options.similar_examples,
    )
    schema = choice_schema(request.tools) if two_step else plan_schema(request.tools)
    try:
        plan = read_plan(await ask_json(llm, messages, schema), language)
        if two_step and plan.kind == "tool" and plan.tool in by_name:
            spec = by_name[plan.tool]
            step_two = args_messages(spec, user_text, today=today, few_shot=options.few_shot)
            args = await ask_json(llm, step_two, args_schema(spec))
            plan = Plan.call(spec.name, dict(args) if isinstance(args, Mapping) else {})
    except ModelAnswerInvalid as error:
        log.warning("plan.model_answer_invalid", error=str(error))
        return Plan.clarify(say("not_understood", language))
    return plan


class _JobListOnce:
    """The backend, with the job list read at most once per planning step."""

    def __init__(self, backend: ToolBackend) -> None:
        self._backend = backend
        self._jobs: dict[str, Any] | None = None

    async def list_tools(self) -> list[ToolSpec]:
        return await self._backend.list_tools()

    async def call_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        if name != "list_jenkins_jobs" or args:
            return await self._backend.call_tool(name, args)
        if self._jobs is None:
            self._jobs = await self._backend.call_tool(name, args)
        return self._jobs


async def _known_jobs(backend: ToolBackend, by_name: Mapping[str, ToolSpec]) -> list[str]:
    if "list_jenkins_jobs" not in by_name:
        return []
    listed = normalize_result(await backend.call_tool("list_jenkins_jobs", {}))
    return job_names(listed["data"]) if listed["status"] == "ok" else []


async def _attested(
    backend: ToolBackend,
    by_name: Mapping[str, ToolSpec],
    spec: ToolSpec,
    plan: Plan,
    request: PlanRequest,
) -> dict[str, Any]:
    """The plan's arguments checked against the request's own words (graph.attest)."""
    jobs: list[str] = []
    if "job" in spec.input_schema.get("properties", {}):
        jobs = await _known_jobs(backend, by_name)
    context = "\n".join(
        [text for _, text in request.history]
        + [f"{key} {value}" for key, value in request.focus.items() if value is not None]
    )
    return attest_args(spec, plan.args, message=request.message, context=context, jobs=jobs)


async def plan_request(
    *,
    llm: BaseChatModel,
    backend: ToolBackend,
    request: PlanRequest,
    options: PlannerOptions | None = None,
) -> Plan:
    """Ask the model for a plan, then ground a tool call against the backend."""
    options = options or PlannerOptions.from_settings(PlannerSettings())
    backend = _JobListOnce(backend)
    language = detect_language(request.message)
    started = time.monotonic()
    by_name = {spec.name: spec for spec in request.tools}
    # The one change the person's words plainly ask for, read once for every step below.
    wanted = wanted_change(request.message, request.history)
    listed = _listed_item(request, by_name, wanted)
    if listed is not None:
        plan = listed
    else:
        plan = await _ask_model(llm, request, options, language)
        plan = await _second_look(llm, plan, request, options, wanted)
        plan = _pointed_at(plan, request, by_name, wanted)
    model_ms = round((time.monotonic() - started) * 1000)
    model_plan = plan
    picked = by_name.get(plan.tool or "")
    if request.results and picked is not None and picked.mutating:
        # Asked for after reading tool output: the graph refuses it, so nothing is looked up.
        return plan
    plan = vet_change(
        plan,
        mutating=picked is not None and picked.mutating,
        message=request.message,
        history=request.history,
        language=language,
    )
    spec = by_name.get(plan.tool or "")
    if spec is not None and plan.kind == "tool":
        plan = Plan.call(spec.name, await _attested(backend, by_name, spec, plan, request))
    grounded = await Grounder(backend, by_name).ground(plan, language=language, focus=request.focus)
    log.info(
        "plan.decided",
        mode=options.mode,
        kind=grounded.kind,
        tool=grounded.tool,
        model_tool=model_plan.tool,
        changed_by_intent_gate=plan != model_plan,
        changed_by_grounding=grounded != plan,
        model_ms=model_ms,
    )
    return grounded


async def plan_turn(
    *,
    llm: BaseChatModel,
    backend: ToolBackend,
    message: str,
    history: Sequence[HistoryItem] = (),
    actor: str | None = None,
    options: PlannerOptions | None = None,
) -> Plan:
    """Plan one person's message: a grounded tool call, a clarifying question or a reply.

    `ModelUnavailable` propagates when the model cannot be reached; `options` defaults to
    the PLANNER_* settings, so the evals can switch strategies by environment or argument.
    """
    tools = await backend.list_tools()
    request = PlanRequest(message=message, tools=tools, history=history, actor=actor)
    return await plan_request(llm=llm, backend=backend, request=request, options=options)
