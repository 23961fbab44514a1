"""Agent settings, the model construction and reading MCP results."""

from __future__ import annotations

import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from agent.llm import build_chat_model
from agent.mcp_backend import result_of
from agent.settings import AgentSettings
from backend.settings import setting_error_line


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> AgentSettings:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return AgentSettings(_env_file=None)


def test_defaults_build_ollama_at_temperature_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    model = build_chat_model(_settings(monkeypatch, LLM_TIMEOUT_S="7"))
    assert isinstance(model, ChatOllama)
    assert (model.model, model.temperature) == ("qwen2.5:7b", 0)
    assert model.client_kwargs == {"timeout": 7.0}


def test_openai_compatible_server(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        LLM_PROVIDER="openai",
        LLM_BASE_URL="http://127.0.0.1:8080/v1",
        LLM_MODEL="qwen",
    )
    model = build_chat_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.temperature, model.request_timeout) == ("qwen", 0, 60.0)


def test_openai_without_a_base_url_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError) as error:
        _settings(monkeypatch, LLM_PROVIDER="openai", LLM_MODEL="qwen")
    assert setting_error_line(error.value) == (
        "setting LLM_BASE_URL is invalid: Value error, is required when LLM_PROVIDER=openai"
    )


def test_policy_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        AGENT_APPROVERS="slack:U1, terminal:ana",
        AGENT_SAFE_TOOLS="acknowledge_incident",
        PLANNER_MODE="two_step",
    )
    assert settings.agent_approvers == ("slack:U1", "terminal:ana")
    assert settings.agent_safe_tools == ("acknowledge_incident",)
    assert settings.planner_mode == "two_step"


def test_mcp_results_are_read_from_structured_content_then_text() -> None:
    structured = CallToolResult(
        content=[], structured_content={"status": "ok", "summary": "fine", "data": {"n": 1}}
    )
    assert result_of(structured) == {"status": "ok", "summary": "fine", "data": {"n": 1}}
    as_text = CallToolResult(
        content=[
            TextContent(type="text", text='{"status": "no_data", "summary": "none", "data": {}}')
        ]
    )
    assert result_of(as_text)["status"] == "no_data"
    failed = CallToolResult(
        content=[TextContent(type="text", text="Unknown tool: x")], is_error=True
    )
    assert result_of(failed) == {"status": "error", "summary": "Unknown tool: x", "data": {}}
