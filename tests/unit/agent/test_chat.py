"""The terminal chat session, driven by typed lines."""

from __future__ import annotations

import io
from collections.abc import Iterator

from langgraph.checkpoint.memory import InMemorySaver
from rich.console import Console

from agent.chat import ChatSession, terminal_actor
from agent.conversation import Conversations
from graph.context import AgentContext
from graph.graph import build_graph
from tests.unit.graph.fakes import FakeWorld, scripted


def _session(
    world: FakeWorld, lines: list[str], conversations: Conversations | None = None
) -> tuple[ChatSession, io.StringIO]:
    out = io.StringIO()
    typed: Iterator[str] = iter(lines)

    def ask(prompt: str) -> str:
        out.write(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    chats = conversations or Conversations(
        build_graph(InMemorySaver()), AgentContext(backend=world, llm=None)
    )
    console = Console(file=out, width=140, color_system=None)
    return ChatSession(chats, thread_id="t", actor="terminal:ana", console=console, ask=ask), out


async def test_plan_is_shown_and_y_runs_it() -> None:
    world = FakeWorld()
    session, out = _session(world, ["restart deploy-prod 123", "y", "exit", "never read"])
    await session.run()
    text = out.getvalue()
    assert "Approval needed" in text
    assert "request_jenkins_restart(job='deploy-prod', build=123)" in text
    assert world.mutating_calls() == [
        ("request_jenkins_restart", {"job": "deploy-prod", "build": 123})
    ]
    assert "action 8 awaits approval" in text


async def test_n_cancels_and_the_model_being_down_is_one_line() -> None:
    world = FakeWorld()
    session, out = _session(world, ["stop deploy-prod 123", "n", "what is going on?"])
    await session.run()
    text = out.getvalue()
    assert world.mutating_calls() == []
    assert "Cancelled: nothing was run." in text
    assert "The language model is not reachable right now" in text


async def test_resumed_thread_asks_for_its_pending_approval_first() -> None:
    world = FakeWorld()
    conversations = Conversations(
        build_graph(InMemorySaver()), AgentContext(backend=world, llm=scripted())
    )
    await conversations.send("t", "ack 42", actor="terminal:ana")
    session, out = _session(world, ["y"], conversations)
    await session.run()
    assert world.mutating_calls() == [("acknowledge_incident", {"incident_id": 42})]
    assert out.getvalue().index("Approval needed") < out.getvalue().index("Run it?")


async def test_a_new_message_while_waiting_cancels_the_pending_change() -> None:
    world = FakeWorld()
    conversations = Conversations(
        build_graph(InMemorySaver()), AgentContext(backend=world, llm=None)
    )
    await conversations.send("t", "ack 42", actor="terminal:ana")
    turn = await conversations.send("t", "incidents", actor="terminal:ana")
    assert turn.answer is not None and "1 active incident" in turn.answer
    assert world.mutating_calls() == []


def test_terminal_actor_is_a_valid_server_actor() -> None:
    assert terminal_actor("Ana María") == "terminal:Ana-Mar-a"
    assert terminal_actor("alice") == "terminal:alice"


async def test_text_from_tools_is_not_read_as_terminal_markup() -> None:
    session, out = _session(FakeWorld(), ["help"])
    await session.run()
    assert "`resolve <incident> [notes]`" in out.getvalue()
