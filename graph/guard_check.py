"""The guard node: before a person is asked, the server's guard says what it would decide.

The verdict comes from the backend's preview (an MCP resource in production), so the
person sees the real policy and the database's counts, not a guess. A preview is
advice: if it cannot be had, the approval still goes ahead, since the guard decides
again when the request is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from langgraph.runtime import Runtime

from graph.context import AgentContext
from graph.errors import GuardPreviewFailed
from graph.language import Language
from graph.phrases import say
from graph.plans import Plan
from graph.state import State
from graph.tooling import GUARDED_ACTIONS, acting_as, guard_preview

log = structlog.get_logger(__name__)

DECISIONS = ("allowed", "needs_approval", "refused")
_REASON_MAX = 300
_WHY_MAX = 160


def _view(
    text: str,
    decision: str | None = None,
    reason: str | None = None,
    plan: list[str] | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    return {
        "decision": decision,
        "reason": reason,
        "plan": plan or [],
        "dry_run": dry_run,
        "text": text,
    }


def guard_view(preview: Mapping[str, Any], language: Language) -> dict[str, Any]:
    """The verdict as the approval shows it: decision, reason, plan, and one line to read."""
    decision = preview.get("decision")
    reason = preview.get("reason")
    if decision not in DECISIONS or not isinstance(reason, str):
        return unchecked_view(say("guard_unreadable", language), language)
    reason = reason.strip()[:_REASON_MAX]
    plan = preview.get("plan")
    steps = [str(step) for step in plan] if isinstance(plan, list) else []
    dry_run = preview.get("dry_run") is True
    text = say(f"guard_{decision}", language, reason=reason)
    if dry_run and decision != "refused" and "dry run" not in reason.lower():
        text = f"{text} {say('guard_dry_run', language)}"
    return _view(text, str(decision), reason, steps, dry_run)


def unchecked_view(why: str, language: Language) -> dict[str, Any]:
    """No verdict: say so in one line, and keep the approval."""
    return _view(say("guard_unchecked", language, reason=why))


async def check_guard(state: State, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Ask the server's guard about the planned Jenkins action; kept for the approval."""
    assert state.plan is not None
    planned = Plan.from_dict(state.plan)
    tool = str(planned.tool)
    language: Language = "es" if state.language == "es" else "en"
    if tool not in GUARDED_ACTIONS:
        return {"guard": None}
    backend = acting_as(runtime.context.backend, state.actor)
    try:
        preview = await guard_preview(backend, tool, dict(planned.args))
    except Exception as error:  # advice only: the person is still asked, the guard still decides
        log.warning("guard.preview_failed", tool=tool, error=str(error))
        why = str(error) if isinstance(error, GuardPreviewFailed) else type(error).__name__
        return {"guard": unchecked_view(" ".join(why.split())[:_WHY_MAX], language)}
    if preview is None:  # a backend without previews (e.g. the evals' world)
        return {"guard": _view(say("guard_note", language))}
    view = guard_view(preview, language)
    log.info("guard.previewed", tool=tool, decision=view["decision"])
    return {"guard": view}
