"""The Slack Web API client every Slack-facing service uses: one place for retries and timeouts."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from agent.slack.settings import SlackApiSettings


def build_web_client(settings: SlackApiSettings) -> AsyncWebClient:
    """An `AsyncWebClient` that waits out 429s (Retry-After) and retries dropped connections."""
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_s,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            # Sleeps Retry-After (plus up to 1 s of jitter) before each retry.
            AsyncRateLimitErrorRetryHandler(max_retry_count=settings.slack_rate_limit_retries),
        ],
    )
