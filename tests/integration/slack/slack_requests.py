"""Signed Slack requests, as Slack sends them: slash commands, events, button clicks."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.support.slack_standin import TEAM_ID

SIGNING_SECRET = "3f1c0b7e9a2d4c6b8e0f1a3c5e7d9b2a"
_ids = itertools.count(1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` HMAC-SHA256 of `v0:{ts}:{body}`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """Posts signed requests to the bot's endpoint."""

    def __init__(self, http: httpx.AsyncClient, url: str, secret: str = SIGNING_SECRET) -> None:
        self.http = http
        self.url = url
        self.secret = secret

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret or self.secret, ts, body),
        }
        return await self.http.post(self.url, content=body, headers=headers)

    async def command(self, *, user: str, channel: str, text: str, **kw: Any) -> httpx.Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "channel_name": "ops",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/devops",
            "text": text,
            "api_app_id": "A0RUNBOOKS",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": f"trigger-{next(_ids)}",
        }
        return await self.send(urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    async def mention(
        self,
        *,
        user: str,
        channel: str,
        text: str,
        ts: str,
        thread_ts: str | None = None,
        direct: bool = False,
    ) -> httpx.Response:
        """An `app_mention`, or with `direct` a `message` in the bot's DM channel."""
        event: dict[str, Any] = {
            "type": "message" if direct else "app_mention",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if direct:
            event["channel_type"] = "im"
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0RUNBOOKS",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT0001", "is_bot": True}],
        }
        return await self.send(json.dumps(payload).encode(), "application/json")

    async def click(
        self, *, user: str, channel: str, message_ts: str, button: dict[str, Any]
    ) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0RUNBOOKS",
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": f"trigger-{next(_ids)}",
            "channel": {"id": channel, "name": "ops"},
            "message": {"type": "message", "ts": message_ts, "text": ""},
            "response_url": "http://127.0.0.1:9/unused",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "b",
                    "value": button["value"],
                    "action_ts": str(time.time()),
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send(body, "application/x-www-form-urlencoded")
