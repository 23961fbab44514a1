"""What the evals measure: the graph's plan step for one message, without the graph around it.

The plan node answers an explicit command (`restart deploy-prod 123`) with the parser and
grounding, and hands anything else to `graph.planning.plan_turn` (same prompts, schema and
grounding). Both paths are the production code; the levers switch them as settings do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from evals.dataset import Case
from evals.scoring import Observation
from graph.commands import parse_command
from graph.errors import ModelUnavailable
from graph.grounding import Grounder
from graph.language import detect_language
from graph.planning import plan_turn
from graph.plans import Plan
from graph.settings import PlannerOptions
from graph.tooling import ToolBackend
from prompts import load_prompt

EVAL_ACTOR = "eval"


@dataclass(frozen=True)
class Levers:
    """The planning strategies the evals can switch on and off."""

    commands: bool = True
    options: PlannerOptions = PlannerOptions()

    def label(self) -> str:
        """A short name for reports."""
        parts = [self.options.mode, "few-shot" if self.options.few_shot else "zero-shot"]
        if self.options.few_shot and self.options.similar_examples:
            parts.append(f"similar-{self.options.similar_examples}")
        parts.append("commands" if self.commands else "no-commands")
        return "+".join(parts)


class PlanStep:
    """The production plan step over a backend and a chat model."""

    def __init__(self, *, llm: BaseChatModel, backend: ToolBackend, levers: Levers) -> None:
        self._llm = llm
        self._backend = backend
        self._levers = levers

    async def _command_plan(self, message: str) -> Plan | None:
        command = parse_command(message)
        if command is None:
            return None
        if command.tool is None:
            return Plan.reply(load_prompt("help_es" if command.language == "es" else "help_en"))
        tools = {spec.name: spec for spec in await self._backend.list_tools()}
        return await Grounder(self._backend, tools).ground(
            Plan.call(command.tool, command.args), language=detect_language(message)
        )

    async def decide(self, case: Case) -> Observation:
        """Plan the case's utterance (after its history) and time it."""
        history = tuple((turn.role, turn.content) for turn in case.history)
        started = time.perf_counter()
        source = "command"
        try:
            plan = await self._command_plan(case.utterance) if self._levers.commands else None
            if plan is None:
                source = "model"
                plan = await plan_turn(
                    llm=self._llm,
                    backend=self._backend,
                    message=case.utterance,
                    history=history,
                    actor=EVAL_ACTOR,
                    options=self._levers.options,
                )
        except ModelUnavailable as error:
            return Observation(
                kind="error", latency_s=time.perf_counter() - started, error=str(error)
            )
        elapsed = time.perf_counter() - started
        specs = {spec.name: spec for spec in await self._backend.list_tools()}
        spec = specs.get(plan.tool or "")
        return Observation(
            kind=plan.kind,
            tool=plan.tool,
            args=dict(plan.args),
            text=plan.text,
            latency_s=elapsed,
            mutating=spec.mutating if spec else False,
            source=source,
        )
