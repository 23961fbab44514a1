"""One evaluation run: a dataset, a world, a model and the levers, to a JSON report."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from agent.llm import build_chat_model
from agent.settings import AgentSettings
from evals.backend import WorldBackend
from evals.dataset import Case
from evals.harness import CaseRun, report_for, run_cases
from evals.subject import Levers, PlanStep
from evals.world import World

Provider = Literal["ollama", "openai"]


@dataclass(frozen=True)
class ModelTarget:
    """Which model to ask; None fields come from the LLM_*/OLLAMA_* settings."""

    provider: Provider | None = None
    model: str | None = None
    base_url: str | None = None
    timeout_s: float | None = None

    @classmethod
    def parse(cls, text: str, *, provider: Provider | None, timeout_s: float | None) -> ModelTarget:
        """`model` or `model@base_url` (a --compare entry)."""
        model, _, url = text.partition("@")
        return cls(
            provider=provider, model=model or None, base_url=url or None, timeout_s=timeout_s
        )


def agent_settings(target: ModelTarget) -> AgentSettings:
    """The agent's own settings with the target's overrides (the same LLM construction)."""
    overrides: dict[str, Any] = {}
    if target.provider is not None:
        overrides["llm_provider"] = target.provider
    if target.timeout_s is not None:
        overrides["llm_timeout_s"] = target.timeout_s
    if target.base_url is not None:
        key = "llm_base_url" if (target.provider or "openai") == "openai" else "ollama_url"
        overrides[key] = target.base_url
    if target.model is not None:
        overrides["llm_model"] = target.model
        overrides["ollama_model"] = target.model
    return AgentSettings(**overrides)


def model_label(settings: AgentSettings) -> str:
    """The model's name for reports."""
    if settings.llm_provider == "openai":
        return str(settings.llm_model)
    return settings.ollama_model


async def evaluate(
    cases: Sequence[Case],
    world: World,
    *,
    settings: AgentSettings,
    levers: Levers,
    dataset: str,
    llm: BaseChatModel | None = None,
    on_case: Callable[[CaseRun], None] | None = None,
) -> dict[str, Any]:
    """Run every case through the plan step on a fresh world backend; the JSON report."""
    backend = WorldBackend(world)
    chat = llm if llm is not None else build_chat_model(settings)
    step = PlanStep(llm=chat, backend=backend, levers=levers)
    started = time.monotonic()
    runs = await run_cases(cases, step, specs=await backend.list_tools(), on_case=on_case)
    meta = {
        "model": model_label(settings),
        "provider": settings.llm_provider,
        "dataset": dataset,
        "levers": levers.label(),
        "duration_s": round(time.monotonic() - started, 1),
    }
    return report_for(runs, meta=meta)
