"""Ask a chat model for one JSON value constrained by a JSON schema.

Ollama takes the schema as `format`; OpenAI-compatible servers (llama.cpp, vLLM, LM Studio)
as `response_format` of type `json_schema` (llama.cpp turns it into a grammar). Any other
chat model (e.g. a scripted fake in tests) gets the messages alone.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from typing import Any

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_ollama import ChatOllama
from langchain_openai.chat_models.base import BaseChatOpenAI

from graph.errors import ModelFailed, ModelUnavailable

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)

# Failures that mean "the model is not there", as opposed to a bad answer from it.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    httpx.TransportError,
    openai.APIConnectionError,
    openai.APITimeoutError,
    openai.NotFoundError,
    openai.InternalServerError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
)


class ModelAnswerInvalid(ValueError):
    """The model answered, but not with a JSON value."""


def schema_kwargs(llm: BaseChatModel, schema: dict[str, Any]) -> dict[str, Any]:
    """The call keyword that constrains this model's output to `schema`."""
    if isinstance(llm, ChatOllama):
        return {"format": schema}
    if isinstance(llm, BaseChatOpenAI):
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema},
            }
        }
    return {}


def parse_json(text: str) -> Any:
    """The JSON value in a model's answer (tolerating a code fence around it)."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1)
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as error:
        raise ModelAnswerInvalid(f"not JSON: {stripped[:80]!r}") from error


def _ollama_unreachable(error: BaseException) -> bool:
    # ollama.ResponseError carries the HTTP status; 404 is "model not pulled".
    return type(error).__name__ == "ResponseError" and getattr(error, "status_code", 0) in (
        404,
        502,
        503,
    )


async def ask_json(
    llm: BaseChatModel, messages: Sequence[BaseMessage], schema: dict[str, Any]
) -> Any:
    """One constrained model call.

    `ModelUnavailable` when the model cannot be reached, `ModelFailed` when its server
    refuses the request, `ModelAnswerInvalid` when the answer is not JSON.
    """
    try:
        answer = await llm.ainvoke(list(messages), **schema_kwargs(llm, schema))
    except _UNREACHABLE as error:
        raise ModelUnavailable(f"{type(error).__name__}: {error}") from error
    except openai.LengthFinishReasonError as error:
        # The answer ran to the token cap (a small model looping inside a string): unusable.
        raise ModelAnswerInvalid("the answer was cut at the length limit") from error
    except openai.APIStatusError as error:
        raise ModelFailed(f"HTTP {error.status_code}: {error.message}") from error
    except Exception as error:
        if _ollama_unreachable(error):
            raise ModelUnavailable(f"{type(error).__name__}: {error}") from error
        if type(error).__name__ == "ResponseError":  # ollama's, for any other refusal
            raise ModelFailed(f"{type(error).__name__}: {error}") from error
        raise
    content = answer.content
    if isinstance(content, list):
        content = "".join(
            part if isinstance(part, str) else str(part.get("text", "")) for part in content
        )
    return parse_json(content)
