"""The chat model: Ollama by default, or any OpenAI-compatible server; temperature 0."""

from __future__ import annotations

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.settings import AgentSettings

_PROBE_TIMEOUT_S = 3.0


def build_chat_model(settings: AgentSettings) -> BaseChatModel:
    """The configured chat model. Opens no connection."""
    if settings.llm_provider == "openai":
        assert settings.llm_base_url is not None and settings.llm_model is not None
        key = settings.llm_api_key or SecretStr("not-needed")  # local servers ignore it
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,
            temperature=0,
            timeout=settings.llm_timeout_s,
            max_retries=1,
        )
    return ChatOllama(
        model=settings.ollama_model,
        base_url=settings.ollama_url,
        temperature=0,
        client_kwargs={"timeout": settings.llm_timeout_s},
    )


async def model_problem(settings: AgentSettings) -> str | None:
    """One line saying why the model cannot be used, or None when its server answers."""
    if settings.llm_provider == "openai":
        url = f"{str(settings.llm_base_url).rstrip('/')}/models"
        headers = (
            {"Authorization": f"Bearer {settings.llm_api_key.get_secret_value()}"}
            if settings.llm_api_key
            else {}
        )
    else:
        url, headers = f"{settings.ollama_url.rstrip('/')}/api/tags", {}
    try:
        async with httpx.AsyncClient(timeout=_PROBE_TIMEOUT_S) as client:
            response = await client.get(url, headers=headers)
    except httpx.HTTPError as error:
        return f"the language model ({settings.model_location()}) is unreachable: {type(error).__name__}"
    if response.status_code >= 400:
        return (
            f"the language model ({settings.model_location()}) answered HTTP {response.status_code}"
        )
    if settings.llm_provider == "ollama":
        names = {str(m.get("name", "")) for m in response.json().get("models", [])}
        wanted = settings.ollama_model
        if names and wanted not in names and f"{wanted}:latest" not in names:
            return f"Ollama at {settings.ollama_url} has no model {wanted} (run `ollama pull {wanted}`)"
    return None
