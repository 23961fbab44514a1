"""The harness over the real plan step, with a scripted model in place of a real one."""

from __future__ import annotations

import pytest

from evals.backend import WorldBackend
from evals.dataset import Case
from evals.harness import CaseRun, EvalAborted, report_for, run_cases
from evals.scoring import Observation
from evals.subject import Levers, PlanStep
from evals.world import load_world
from graph.errors import ModelUnavailable
from graph.settings import PlannerOptions

from .fakes import ScriptedModel


def case(case_id: str, utterance: str, expect: dict[str, object], **extra: object) -> Case:
    return Case.model_validate(
        {"id": case_id, "utterance": utterance, "lang": "en", "expect": expect, **extra}
    )


def step(model: ScriptedModel, *, commands: bool = True) -> tuple[PlanStep, WorldBackend]:
    backend = WorldBackend(load_world())
    levers = Levers(commands=commands, options=PlannerOptions(mode="single", few_shot=False))
    return PlanStep(llm=model, backend=backend, levers=levers), backend


async def test_model_plan_is_grounded_and_scored() -> None:
    model = ScriptedModel(
        script=[{"tool": "request_jenkins_restart", "args": {"job": "Deploy-Prod", "build": 123}}]
    )
    subject, backend = step(model)
    cases = [
        case(
            "r1",
            "kick off deploy-prod 123 again",
            {"tool": "request_jenkins_restart", "args": {"job": "deploy-prod", "build": 123}},
        )
    ]
    seen: list[CaseRun] = []
    runs = await run_cases(cases, subject, specs=await backend.list_tools(), on_case=seen.append)
    assert seen == runs
    observation = runs[0].observation
    assert (observation.tool, observation.args, observation.mutating) == (
        "request_jenkins_restart",
        {"job": "deploy-prod", "build": 123},
        True,
    )
    assert runs[0].verdict.args_ok
    assert ("get_build_status", {"job": "deploy-prod", "build": 123}) in backend.calls


async def test_explicit_command_skips_the_model_unless_switched_off() -> None:
    model = ScriptedModel(script=[])
    subject, backend = step(model)
    runs = await run_cases(
        [case("c1", "restart deploy-prod 123", {"tool": "request_jenkins_restart"})],
        subject,
        specs=await backend.list_tools(),
    )
    assert runs[0].observation.source == "command" and model.calls == 0
    # Switched off, the model plans; its question on a plain order gets a second look.
    model_off = ScriptedModel(
        script=[{"clarify": "Which build?"}, {"job": "deploy-prod", "build": 123}]
    )
    subject_off, _ = step(model_off, commands=False)
    runs_off = await run_cases(
        [case("c1", "restart deploy-prod 123", {"tool": "request_jenkins_restart"})],
        subject_off,
        specs=await backend.list_tools(),
    )
    observation = runs_off[0].observation
    assert (observation.source, observation.tool) == ("model", "request_jenkins_restart")
    assert model_off.calls == 2


async def test_unknown_job_becomes_a_question() -> None:
    model = ScriptedModel(
        script=[
            {"tool": "request_jenkins_restart", "args": {"job": "deploy-payments", "build": 12}}
        ]
    )
    subject, backend = step(model)
    runs = await run_cases(
        [case("q", "restart deploy-payments build 12", {"clarify": True})],
        subject,
        specs=await backend.list_tools(),
    )
    assert runs[0].observation.kind == "clarify" and runs[0].verdict.clarify_ok


async def test_history_reaches_the_model_and_report_lists_failures() -> None:
    model = ScriptedModel(
        script=[{"tool": "get_build_status", "args": {"job": "web.frontend", "build": 58}}]
    )
    subject, backend = step(model)
    followup = case(
        "f",
        "and build 58?",
        {"tool": "get_build_status", "args": {"job": "api-gateway", "build": 58}},
        history=[
            {"role": "user", "content": "logs of api-gateway and web.frontend"},
            {"role": "assistant", "content": "1 line"},
        ],
    )
    runs = await run_cases([followup], subject, specs=await backend.list_tools())
    report = report_for(runs, meta={"model": "scripted"})
    # Both jobs are in the conversation: the planner keeps the model's pick, which is wrong.
    assert report["args_accuracy"] == 0.0
    assert report["failures"][0]["args"] == {"job": "web.frontend", "build": 58}


class DownSubject:
    async def decide(self, case: Case) -> Observation:
        raise ModelUnavailable("connection refused")


async def test_run_stops_after_consecutive_model_errors() -> None:
    cases = [case(f"d{i}", "hi", {"tool": None}) for i in range(8)]
    with pytest.raises(EvalAborted, match="5 model errors in a row"):
        await run_cases(cases, DownSubject(), specs=[])
