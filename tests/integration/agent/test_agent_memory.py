"""Conversation memory in the real PostgreSQL: threads survive a restart of the agent."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.conversation import Conversations
from agent.memory import open_checkpointer
from graph.context import AgentContext
from graph.graph import build_graph
from tests.unit.graph.fakes import FakeWorld, ScriptedChatModel, scripted

RESTART = {"tool": "request_jenkins_restart", "args": {"job": "deploy-prod", "build": 123}}
ROLLBACK_WITHOUT_JOB = {"tool": "request_jenkins_rollback", "args": {"target_build": 118}}


def _conversations(
    saver: BaseCheckpointSaver[str], world: FakeWorld, llm: ScriptedChatModel
) -> Conversations:
    return Conversations(build_graph(saver), AgentContext(backend=world, llm=llm))


async def test_follow_up_after_a_restart_of_the_agent_knows_the_job(database_url: str) -> None:
    world = FakeWorld()
    async with open_checkpointer(database_url) as saver:
        chat = _conversations(saver, world, scripted(RESTART))
        asked = await chat.send(
            "thread-a", "restart build 123 of deploy-prod", actor="terminal:ana"
        )
        assert asked.approval is not None and asked.approval["args"] == RESTART["args"]
        done = await chat.decide("thread-a", approve=True, actor="terminal:ana")
        assert done.answer is not None and "awaits approval" in done.answer

    llm = scripted(ROLLBACK_WITHOUT_JOB, ROLLBACK_WITHOUT_JOB)
    async with open_checkpointer(database_url) as saver:  # a new process, the same database
        chat = _conversations(saver, world, llm)
        follow_up = await chat.send("thread-a", "and now roll it back to 118", actor="terminal:ana")
        assert follow_up.approval is not None
        assert follow_up.approval["args"] == {"job": "deploy-prod", "target_build": 118}
        assert "restart build 123 of deploy-prod" in str(llm.seen[0][-1].content)

        other = await chat.send("thread-b", "and now roll it back to 118", actor="terminal:ana")
        assert other.approval is None
        assert other.answer == "Which Jenkins job?"


async def test_a_pending_approval_survives_a_restart(database_url: str) -> None:
    world = FakeWorld()
    async with open_checkpointer(database_url) as saver:
        chat = _conversations(saver, world, scripted())
        asked = await chat.send("thread-c", "stop deploy-prod 123", actor="terminal:ana")
        assert asked.approval is not None
    assert world.mutating_calls() == []

    async with open_checkpointer(database_url) as saver:
        chat = _conversations(saver, world, scripted())
        pending = await chat.pending("thread-c")
        assert pending is not None and pending["tool"] == "request_jenkins_stop"
        done = await chat.decide("thread-c", approve=True, actor="terminal:ana")
        assert done.outcome == "answered"
        assert world.mutating_calls() == [
            ("request_jenkins_stop", {"job": "deploy-prod", "build": 123})
        ]
        assert await chat.pending("thread-c") is None
