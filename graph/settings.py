"""Planner settings: which planning strategy runs, so the evals can compare them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PlannerMode = Literal["single", "two_step"]


class PlannerSettings(BaseSettings):
    """How the plan node asks the model (env: PLANNER_MODE, PLANNER_FEW_SHOT, ...)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    planner_mode: PlannerMode = Field(
        default="single",
        description="single: one schema with a variant per tool; two_step: tool name, then its args.",
    )
    planner_few_shot: bool = Field(default=True, description="Add worked examples to the prompt.")
    planner_similar_examples: int = Field(
        default=4,
        ge=0,
        le=20,
        description="Examples of prompts/examples.jsonl nearest to the request added to the prompt (0: none).",
    )
    planner_history_turns: int = Field(
        default=6, ge=0, le=50, description="Earlier messages of the thread shown to the model."
    )


@dataclass(frozen=True)
class PlannerOptions:
    """The planner's switches, as plain values."""

    mode: PlannerMode = "single"
    few_shot: bool = True
    history_turns: int = 6
    similar_examples: int = 4

    @classmethod
    def from_settings(cls, settings: PlannerSettings) -> PlannerOptions:
        """Options from settings."""
        return cls(
            mode=settings.planner_mode,
            few_shot=settings.planner_few_shot,
            history_turns=settings.planner_history_turns,
            similar_examples=settings.planner_similar_examples,
        )
