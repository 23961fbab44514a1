"""Settings of the agent: which model, which tools (MCP), what policy."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode

from backend.settings import CommonSettings, refuse_placeholder
from graph.settings import PlannerSettings

CommaList = Annotated[tuple[str, ...], NoDecode]


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class AgentSettings(CommonSettings, PlannerSettings):
    """`runbooks chat` and the Slack bot: LLM_*, OLLAMA_*, MCP_URL, AGENT_*, PLANNER_*."""

    llm_provider: Literal["ollama", "openai"] = Field(
        default="ollama", description="ollama, or openai for any OpenAI-compatible server."
    )
    ollama_url: str = "http://127.0.0.1:11434"
    ollama_model: str = Field(default="qwen2.5:7b", min_length=1)
    llm_base_url: str | None = Field(
        default=None,
        validate_default=True,
        description="OpenAI-compatible base URL (llama.cpp's server, vLLM, LM Studio), e.g. http://127.0.0.1:8080/v1.",
    )
    llm_model: str | None = Field(default=None, validate_default=True)
    llm_api_key: SecretStr | None = Field(
        default=None, description="Key of the OpenAI-compatible server, if it wants one."
    )
    llm_timeout_s: float = Field(default=60.0, gt=0, le=600)

    mcp_url: str | None = Field(
        default=None,
        description="The orchestrator's MCP endpoint (<API>/mcp); unset: run `runbooks mcp --stdio`.",
    )
    api_token: SecretStr | None = Field(default=None, description="Bearer token for MCP_URL.")

    agent_max_steps: int = Field(default=4, ge=1, le=20)
    agent_follow_up: bool = Field(
        default=True, description="After a read, let the model answer from its result."
    )
    agent_approvers: CommaList = Field(
        default=(), description="Who may approve changes in chat (comma list); empty: anyone."
    )
    agent_safe_tools: CommaList = Field(
        default=(), description="Mutating tools that run without asking (the guard still decides)."
    )

    _token_placeholder = field_validator("api_token", "llm_api_key")(refuse_placeholder)
    _lists = field_validator("agent_approvers", "agent_safe_tools", mode="before")(_split_commas)

    @field_validator("ollama_url", "llm_base_url", "mcp_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("llm_base_url", "llm_model")
    @classmethod
    def _needed_for_openai(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("llm_provider") == "openai":
            raise ValueError("is required when LLM_PROVIDER=openai")
        return value

    def model_location(self) -> str:
        """Where the model is, for messages to a person (no secrets)."""
        if self.llm_provider == "openai":
            return f"{self.llm_model} at {self.llm_base_url}"
        return f"{self.ollama_model} at {self.ollama_url}"
