"""The agent graph: receive -> plan -> (guard -> approve) -> act -> (plan again | answer).

Read tools run at once; a mutating tool waits at the approve interrupt for a person,
unless the policy marks it safe, after the guard node asked the server's guard what
it would decide (so the person sees the verdict). A tool's output can lead to more reads, never to a
change. `graph` (module level) has no checkpointer, for LangGraph tooling;
`build_graph(checkpointer)` is what applications run, since interrupts need one.
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from graph import nodes
from graph.context import AgentContext
from graph.guard_check import check_guard
from graph.state import InputState, State

AgentGraph = CompiledStateGraph[State, AgentContext, InputState, State]


def after_plan(state: State, runtime: Runtime[AgentContext]) -> Literal["guard", "act", "answer"]:
    """A tool call goes to the guard then approve (changes) or act (reads); else answered."""
    if state.outcome is not None or state.plan is None or state.plan.get("kind") != "tool":
        return "answer"
    if (
        state.plan.get("mutating", True)
        and state.plan.get("tool") not in runtime.context.safe_tools
    ):
        return "guard"
    return "act"


def after_approve(state: State) -> Literal["act", "answer"]:
    """Act only on an approval by an allowed person."""
    approval = state.approval or {}
    return "act" if state.outcome is None and approval.get("decision") == "approve" else "answer"


def after_act(state: State, runtime: Runtime[AgentContext]) -> Literal["plan", "answer"]:
    """Commands and changes are answered; a read may let the model look at its result."""
    plan = state.plan or {}
    if (
        state.plan_source == "command"
        or plan.get("mutating", True)
        or not runtime.context.follow_up
    ):
        return "answer"
    return "plan"


def _builder() -> StateGraph[State, AgentContext, InputState, State]:
    builder = StateGraph(State, context_schema=AgentContext, input_schema=InputState)
    builder.add_node("receive", nodes.receive)
    builder.add_node("plan", nodes.plan)
    builder.add_node("guard", check_guard)
    builder.add_node("approve", nodes.approve)
    builder.add_node("act", nodes.act)
    builder.add_node("answer", nodes.answer)
    builder.add_edge(START, "receive")
    builder.add_edge("receive", "plan")
    builder.add_conditional_edges("plan", after_plan)
    builder.add_edge("guard", "approve")
    builder.add_conditional_edges("approve", after_approve)
    builder.add_conditional_edges("act", after_act)
    builder.add_edge("answer", END)
    return builder


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> AgentGraph:
    """The compiled graph, with the checkpointer that keeps threads (and interrupts)."""
    return _builder().compile(checkpointer=checkpointer, name="runbooks-agent")


graph = build_graph()
