"""Grounding: before a change (or a build lookup) the job, build and ids must really exist.

Checked through the backend's read tools. A missing or unusable argument, an unknown job
or id, becomes a clarifying question; nothing is guessed. A value missing from the request
but named earlier in the conversation (the "focus") is taken from there, and the approval
step shows it before anything runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from graph.arguments import check_args
from graph.language import Language
from graph.phrases import say
from graph.plans import Plan
from graph.tooling import ToolBackend, ToolSpec, normalize_result

JOB_TOOLS = frozenset(
    {
        "request_jenkins_restart",
        "request_jenkins_rollback",
        "request_jenkins_stop",
        "get_build_status",
    }
)
LOG_TOOLS = frozenset({"read_jenkins_logs"})  # the job is optional; a named one must exist
INCIDENT_TOOLS = frozenset({"acknowledge_incident", "resolve_incident"})
ACTION_TOOLS = frozenset({"approve_action", "reject_action"})
FOCUS_KEYS = ("job", "build", "incident_id", "action_id")


def job_names(data: Mapping[str, Any]) -> list[str]:
    """Job names from a `list_jenkins_jobs` result, whatever the item shape."""
    items = data.get("jobs", data.get("items", []))
    names: list[str] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, Mapping):
            name = item.get("full_name") or item.get("fullName") or item.get("name")
            if isinstance(name, str):
                names.append(name)
    return names


def _missing_question(name: str, language: Language) -> str:
    key = f"ask_{name}"
    if name in ("job", "build", "target_build", "incident_id", "action_id"):
        return say(key, language)
    return say("ask_arg", language, arg=name)


class Grounder:
    """Checks one planned call against the tools' schemas and the backend's read tools."""

    def __init__(self, backend: ToolBackend, tools: Mapping[str, ToolSpec]) -> None:
        self._backend = backend
        self._tools = tools

    async def ground(
        self, plan: Plan, *, language: Language, focus: Mapping[str, Any] | None = None
    ) -> Plan:
        """The plan with checked arguments, or a clarifying question instead of it."""
        if plan.kind != "tool" or plan.tool is None:
            return plan
        spec = self._tools.get(plan.tool)
        if spec is None:
            return Plan.clarify(say("unknown_tool", language, tool=plan.tool))
        raw = dict(plan.args)
        for key in FOCUS_KEYS:
            if key in spec.input_schema.get("properties", {}) and raw.get(key) in (None, ""):
                if focus and focus.get(key) is not None:
                    raw[key] = focus[key]
        checked = check_args(spec, raw)
        if checked.invalid:
            name = checked.invalid[0]
            return Plan.clarify(say("bad_arg", language, arg=name, value=raw.get(name)))
        if checked.missing:
            return Plan.clarify(_missing_question(checked.missing[0], language))
        args = checked.args
        if spec.name in JOB_TOOLS or (spec.name in LOG_TOOLS and "job" in args):
            outcome = await self._ground_job(args, language, strict=spec.mutating)
            if isinstance(outcome, Plan):
                return outcome
            args = outcome
            build_key = "target_build" if "target_build" in args else "build"
            if build_key in args and spec.name != "get_build_status":
                problem = await self._check_build(args["job"], args[build_key], language)
                if problem:
                    return problem
        elif spec.name in INCIDENT_TOOLS:
            problem = await self._check_id(
                "get_incident", "incident_id", args, "no_such_incident", language
            )
            if problem:
                return problem
        elif spec.name in ACTION_TOOLS:
            problem = await self._check_id(
                "get_action_status", "action_id", args, "no_such_action", language
            )
            if problem:
                return problem
        return Plan.call(spec.name, args)

    async def _read(self, tool: str, args: dict[str, Any]) -> dict[str, Any] | None:
        if tool not in self._tools:
            return None  # this catalogue cannot check it; the server's guard still does
        return normalize_result(await self._backend.call_tool(tool, args))

    async def _ground_job(
        self, args: dict[str, Any], language: Language, *, strict: bool
    ) -> dict[str, Any] | Plan:
        job = str(args["job"])
        listed = await self._read("list_jenkins_jobs", {})
        if listed is None:
            return args
        if listed["status"] not in ("ok", "no_data"):
            if strict:
                return Plan.reply(say("jobs_unverifiable", language, reason=listed["summary"]))
            return args
        names = job_names(listed["data"])
        if job in names:
            return args
        folded = {name.lower(): name for name in names}
        if job.lower() in folded:
            return {**args, "job": folded[job.lower()]}
        close = difflib.get_close_matches(job, names, n=3, cutoff=0.6)
        if not close:
            close = [name for name in names if job.lower() in name.lower()][:3]
        if close:
            return Plan.clarify(say("did_you_mean", language, job=job, options=" / ".join(close)))
        return Plan.clarify(say("no_such_job", language, job=job))

    async def _check_build(self, job: str, build: int, language: Language) -> Plan | None:
        result = await self._read("get_build_status", {"job": job, "build": build})
        if result is None or result["status"] == "ok":
            return None
        return Plan.clarify(
            say("no_such_build", language, job=job, build=build, reason=result["summary"])
        )

    async def _check_id(
        self, tool: str, key: str, args: dict[str, Any], phrase: str, language: Language
    ) -> Plan | None:
        result = await self._read(tool, {key: args[key]})
        if result is None or result["status"] == "ok":
            return None
        return Plan.clarify(say(phrase, language, id=args[key], reason=result["summary"]))
