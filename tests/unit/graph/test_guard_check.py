"""The guard's verdict in the approval: asked once before the person, in their language."""

from __future__ import annotations

from typing import Any, cast

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from graph.context import AgentContext
from graph.errors import GuardPreviewFailed
from graph.graph import build_graph
from graph.guard_check import guard_view
from graph.state import InputState
from tests.unit.graph.fakes import FakeWorld, PreviewWorld

DENIED = "job 'deploy-prod' matches the denylist pattern 'deploy-*'; the runner never acts on it"
REFUSED = {"decision": "refused", "reason": DENIED, "plan": [], "dry_run": False}


class Thread:
    def __init__(self, world: FakeWorld) -> None:
        self.graph = build_graph(InMemorySaver())
        self.context = AgentContext(backend=world)
        self.config: Any = {"configurable": {"thread_id": "t"}}

    async def say(self, message: str) -> dict[str, Any]:
        state = InputState(message=message, actor="ana", channel="test")
        return cast(
            dict[str, Any], await self.graph.ainvoke(state, self.config, context=self.context)
        )

    async def decide(self, decision: str) -> dict[str, Any]:
        resume: Command[Any] = Command(resume={"decision": decision, "by": "ana"})
        return cast(
            dict[str, Any], await self.graph.ainvoke(resume, self.config, context=self.context)
        )


def _asked(out: dict[str, Any]) -> dict[str, Any]:
    interrupts = out.get("__interrupt__")
    assert interrupts, f"expected an approval request, got {out.get('answer')!r}"
    value: dict[str, Any] = interrupts[0].value
    return value


async def test_a_refusing_guard_is_shown_before_anything_runs_and_asked_once() -> None:
    world = PreviewWorld(verdict=REFUSED)
    thread = Thread(world)
    asked = _asked(await thread.say("restart deploy-prod 123"))
    guard = asked["guard"]
    assert guard["decision"] == "refused"
    assert guard["reason"] == DENIED
    assert (
        guard["text"]
        == f"Guard: it would be refused now ({DENIED}), so Jenkins would not be called."
    )
    assert world.previews == [("request_jenkins_restart", {"job": "deploy-prod", "build": 123})]
    assert world.mutating_calls() == []

    out = await thread.decide("approve")
    # The server's guard decides at request time; the preview was not asked again on resume.
    assert world.mutating_calls() == [
        ("request_jenkins_restart", {"job": "deploy-prod", "build": 123})
    ]
    assert len(world.previews) == 1
    assert out["approval"]["guard"] == guard


async def test_the_verdict_is_phrased_in_the_persons_language() -> None:
    world = PreviewWorld(verdict={**REFUSED, "decision": "needs_approval", "reason": "prod job"})
    asked = _asked(await Thread(world).say("reinicia deploy-prod 123"))
    assert (
        asked["guard"]["text"]
        == "Guard: después de que confirmes, esperará a un aprobador (prod job)."
    )


async def test_a_failed_preview_is_one_line_and_the_approval_stays() -> None:
    world = PreviewWorld(failure=GuardPreviewFailed("the server\ndid not answer"))
    thread = Thread(world)
    asked = _asked(await thread.say("stop deploy-prod 123"))
    assert asked["guard"]["decision"] is None
    assert asked["guard"]["text"] == (
        "I could not ask the guard for its verdict (the server did not answer); "
        "it still decides when the request is made."
    )
    await thread.decide("approve")
    assert world.mutating_calls() == [
        ("request_jenkins_stop", {"job": "deploy-prod", "build": 123})
    ]


async def test_a_transport_error_names_only_its_kind() -> None:
    world = PreviewWorld(failure=ConnectionResetError("secret internals"))
    asked = _asked(await Thread(world).say("stop deploy-prod 123"))
    assert "(ConnectionResetError)" in asked["guard"]["text"]
    assert "secret" not in asked["guard"]["text"]


async def test_backends_without_previews_keep_the_note_and_other_changes_have_none() -> None:
    plain = _asked(await Thread(FakeWorld()).say("restart deploy-prod 123"))
    assert plain["guard"]["decision"] is None
    assert plain["guard"]["text"].startswith("The server's guard still checks allowlist")
    world = PreviewWorld(verdict=REFUSED)
    ack = _asked(await Thread(world).say("ack 42"))
    assert ack["guard"] is None
    assert world.previews == []


def test_guard_view_adds_the_dry_run_and_refuses_unreadable_answers() -> None:
    dry = guard_view(
        {"decision": "needs_approval", "reason": "prod", "plan": ["POST x"], "dry_run": True}, "en"
    )
    assert dry["text"].endswith("(prod). Dry run: Jenkins will not be called.")
    assert dry["plan"] == ["POST x"] and dry["dry_run"] is True
    said_already = guard_view(
        {
            "decision": "allowed",
            "reason": "allowed by policy; dry run (DRY_RUN is set)",
            "dry_run": True,
        },
        "en",
    )
    assert "Jenkins will not be called" not in said_already["text"]
    odd = guard_view({"decision": "maybe", "reason": 3}, "es")
    assert odd["decision"] is None
    assert odd["text"].startswith("No pude consultar al guard (no se pudo leer su respuesta)")
