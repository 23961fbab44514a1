"""One constrained model call through the real OpenAI client, against a stand-in server."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from graph.errors import ModelFailed
from graph.planning import Plan, plan_turn
from graph.structured import ModelAnswerInvalid, ask_json
from tests.unit.graph.fakes import FakeWorld


def _server(content: str, finish_reason: str, status: int = 200) -> httpx.AsyncClient:
    """An OpenAI-compatible /chat/completions answering `content` with `finish_reason`."""

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["response_format"]["type"] == "json_schema"
        if status != 200:
            return httpx.Response(status, json={"error": {"message": "bad grammar"}})
        return httpx.Response(
            200,
            json={
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": "qwen",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 256, "total_tokens": 266},
            },
        )

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def _llm(client: httpx.AsyncClient) -> ChatOpenAI:
    return ChatOpenAI(
        model="qwen",
        base_url="http://model.invalid/v1",
        api_key="not-used",
        http_async_client=client,
        max_retries=0,
    )


SCHEMA: dict[str, Any] = {"type": "object", "properties": {"reply": {"type": "string"}}}


async def test_an_answer_cut_at_the_length_limit_is_unusable_not_a_crash() -> None:
    llm = _llm(_server('{"reply": "roses are red, roses are red, roses', "length"))
    with pytest.raises(ModelAnswerInvalid, match="length limit"):
        await ask_json(llm, [], SCHEMA)
    plan = await plan_turn(llm=llm, backend=FakeWorld(), message="escríbeme un poema")
    assert plan.kind == "clarify" and plan.tool is None


async def test_a_complete_answer_is_read_and_a_refusal_is_a_model_failure() -> None:
    llm = _llm(_server('{"reply": "hola"}', "stop"))
    assert await ask_json(llm, [], SCHEMA) == {"reply": "hola"}
    plan = await plan_turn(llm=llm, backend=FakeWorld(), message="hola")
    assert plan == Plan.reply("hola")
    with pytest.raises(ModelFailed, match="HTTP 400"):
        await ask_json(_llm(_server("", "stop", status=400)), [], SCHEMA)
