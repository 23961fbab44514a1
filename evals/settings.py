"""Settings of the evals: where the local model lives and how its server runs."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ModelServerSettings(BaseSettings):
    """The local llama-server that stands in for Ollama in CI (env prefix MODEL_SERVER_)."""

    model_config = SettingsConfigDict(
        env_prefix="MODEL_SERVER_", env_file=".env", extra="ignore", frozen=True
    )

    cache_dir: Path = Field(
        default=Path("~/.cache/mcp-runbooks/models"),
        description="Where wheels, the llama-server build, the GGUF files and run state live.",
    )
    model: str = Field(default="qwen2.5-coder-0.5b", description="Key of the model to serve.")
    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port.")
    threads: int = Field(default=2, ge=1, le=256)
    ctx_size: int = Field(default=4096, ge=512, le=131072)
    parallel: int = Field(default=1, ge=1, le=16, description="Server slots (KV caches).")
    max_tokens: int = Field(
        default=256,
        ge=16,
        le=8192,
        description="Cap on generated tokens per request (a plan is under 150; a looping reply is not).",
    )
    startup_timeout_s: float = Field(default=300.0, gt=0)

    @field_validator("cache_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()
