"""The Bolt app builds for both modes without touching the network."""

from __future__ import annotations

from typing import Any, cast

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from agent.slack.app import build_bolt_app


async def test_socket_mode_app_needs_no_signing_secret() -> None:
    client = AsyncWebClient(token="xoxb-1-unit", base_url="http://127.0.0.1:9/api/")
    bolt = build_bolt_app(
        client=client, chatops=cast(Any, None), clicks=cast(Any, None), signing_secret=None
    )
    handler = AsyncSocketModeHandler(bolt, app_token="xapp-1-unit", web_client=client)
    assert handler.client.app_token == "xapp-1-unit"
    assert bolt.client is client
    await handler.client.close()  # type: ignore[no-untyped-call]


def test_http_app_verifies_requests() -> None:
    client = AsyncWebClient(token="xoxb-1-unit", base_url="http://127.0.0.1:9/api/")
    bolt = build_bolt_app(
        client=client, chatops=cast(Any, None), clicks=cast(Any, None), signing_secret="s" * 32
    )
    names = [type(m).__name__ for m in bolt._async_middleware_list]
    assert "AsyncRequestVerification" in names
