"""Running a dataset through the plan step and scoring it, one case at a time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from evals.dataset import Case
from evals.report import build_report
from evals.scoring import Observation, Verdict, score
from graph.tooling import ToolSpec

log = structlog.get_logger(__name__)

# Five model errors in a row means the model is down, not that five cases are hard.
MAX_CONSECUTIVE_ERRORS = 5


class EvalAborted(RuntimeError):
    """The run stopped early: the model kept failing."""


class Subject(Protocol):
    """What is evaluated: one decision per case."""

    async def decide(self, case: Case) -> Observation: ...


@dataclass(frozen=True)
class CaseRun:
    """A case, what the planner did, and the verdict."""

    case: Case
    observation: Observation
    verdict: Verdict


def tool_defaults(specs: Sequence[ToolSpec]) -> dict[str, dict[str, Any]]:
    """Each tool's argument defaults, from its input schema (extra args equal to them are harmless)."""
    defaults: dict[str, dict[str, Any]] = {}
    for spec in specs:
        properties = spec.input_schema.get("properties", {})
        defaults[spec.name] = {
            name: prop["default"]
            for name, prop in properties.items()
            if isinstance(prop, Mapping) and "default" in prop
        }
    return defaults


async def run_cases(
    cases: Sequence[Case],
    subject: Subject,
    *,
    specs: Sequence[ToolSpec],
    on_case: Callable[[CaseRun], None] | None = None,
) -> list[CaseRun]:
    """Decide and score every case in order; EvalAborted when the model keeps failing."""
    defaults = tool_defaults(specs)
    runs: list[CaseRun] = []
    consecutive_errors = 0
    for case in cases:
        try:
            observation = await subject.decide(case)
        except Exception as error:  # one broken answer must not end the whole run
            log.warning("eval.case_failed", case=case.id, error=repr(error))
            observation = Observation(kind="error", error=repr(error))
        consecutive_errors = consecutive_errors + 1 if observation.kind == "error" else 0
        verdict = score(case, observation, defaults=defaults.get(observation.tool or "", {}))
        run = CaseRun(case=case, observation=observation, verdict=verdict)
        runs.append(run)
        if on_case is not None:
            on_case(run)
        if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
            raise EvalAborted(f"{consecutive_errors} model errors in a row: {observation.error}")
    return runs


def report_for(runs: Sequence[CaseRun], *, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON report of a run, failures listing what the planner answered."""
    details = {
        run.case.id: {
            "utterance": run.case.utterance,
            "expect": run.case.expect.model_dump(exclude_defaults=True),
            "tool": run.observation.tool,
            "args": dict(run.observation.args),
            "text": run.observation.text,
            "source": run.observation.source,
            "error": run.observation.error,
        }
        for run in runs
    }
    return build_report([run.verdict for run in runs], meta=meta, details=details)
