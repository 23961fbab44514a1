"""A local stand-in of the Slack Web API for tests, driven through the real `AsyncWebClient`.

It serves `POST /api/<method>` on 127.0.0.1 and records every call: `auth.test`,
`chat.postMessage`, `chat.update`, `chat.postEphemeral`, `reactions.add`/`remove`,
`usergroups.users.list`, and the `response_url` posts of Bolt's `respond()`
(`POST /respond/<id>`). It keeps the messages it was given (channel, ts, thread)
so tests can read a card's current state, and can answer `429` with `Retry-After`
for the next N calls of a method.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER_ID = "UBOT0001"
TEAM_ID = "T0TEST001"


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200


@dataclass
class Message:
    """A message as Slack would hold it after posts and updates."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    updates: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all_text(self) -> str:
        """The text and every text field of the blocks, for loose assertions."""
        parts = [self.text]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        parts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.blocks)
        return "\n".join(parts)

    def action_ids(self) -> list[str]:
        """The action ids of the buttons on this message."""
        return [
            element["action_id"]
            for block in self.blocks
            if block.get("type") == "actions"
            for element in block.get("elements", [])
        ]

    def button(self, action_id: str) -> dict[str, Any]:
        """The button with this action id (its value is what a click sends back)."""
        for block in self.blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element.get("action_id") == action_id:
                    return dict(element)
        raise KeyError(f"no button {action_id!r} on message {self.ts}: {self.action_ids()}")


class SlackStandIn:
    """`async with SlackStandIn() as slack: slack.api_url ...`."""

    def __init__(self, *, group_members: dict[str, list[str]] | None = None) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self.group_members = dict(group_members or {})
        self._rate_limits: dict[str, list[int]] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.changed = asyncio.Event()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A `response_url` for a signed payload; posts to it are recorded as `respond`."""
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After: retry_after`."""
        self._rate_limits.setdefault(method, []).extend([retry_after] * times)

    async def __aenter__(self) -> SlackStandIn:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- reading what happened -------------------------------------------------------------

    def calls_of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (not ok_only or c.status == 200)]

    def message(self, channel: str, ts: str) -> Message:
        return self.messages[(channel, ts)]

    def top_level(self, channel: str | None = None) -> list[Message]:
        """Messages not in a thread, oldest first."""
        return [
            m
            for m in self.messages.values()
            if m.thread_ts is None and (channel is None or m.channel == channel)
        ]

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        """Messages posted in a thread, oldest first."""
        return [
            m for m in self.messages.values() if m.channel == channel and m.thread_ts == thread_ts
        ]

    async def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = 30.0, what: str = "condition"
    ) -> Any:
        """Poll `predicate` (sync or async) until it returns something truthy, or fail."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [(c.method, c.status) for c in self.calls[-10:]]
                raise AssertionError(f"timed out waiting for {what}; last calls: {recent}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=min(remaining, 0.2))
            except TimeoutError:
                pass

    # -- the API ----------------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                form = await request.post()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("blocks", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.changed.set()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        pending = self._rate_limits.get(method)
        if pending:
            retry_after = pending.pop(0)
            self._record(Call(method, args, token, time.monotonic(), status=429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        if not token or not token.startswith(("xoxb-", "xoxp-")):
            self._record(Call(method, args, token, time.monotonic(), status=200))
            return web.json_response({"ok": False, "error": "not_authed"})
        body = self._answer(method, args)
        self._record(Call(method, args, token, time.monotonic()))
        return web.json_response(body)

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _channel_id(self, channel: str) -> str:
        # Slack accepts a #name on post and answers with the channel's id.
        return (
            "C" + channel.lstrip("#").upper().replace("-", "")[:10]
            if channel.startswith("#")
            else channel
        )

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://standin.slack.test/",
                "team": "Test",
                "user": "runbooks",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "BBOT0001",
            }
        if method == "chat.postMessage":
            channel = self._channel_id(str(args["channel"]))
            ts = self._next_ts()
            message = Message(
                channel=channel,
                ts=ts,
                text=str(args.get("text", "")),
                blocks=list(args.get("blocks") or []),
                thread_ts=args.get("thread_ts"),
            )
            self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": message.text}}
        if method == "chat.update":
            channel, ts = str(args["channel"]), str(args["ts"])
            found = self.messages.get((channel, ts))
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            found.history.append({"text": found.text, "blocks": found.blocks})
            found.text = str(args.get("text", found.text))
            if "blocks" in args:
                found.blocks = list(args["blocks"] or [])
            found.updates += 1
            return {"ok": True, "channel": channel, "ts": ts, "text": found.text}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        if method == "usergroups.users.list":
            group = str(args.get("usergroup", ""))
            if group not in self.group_members:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.group_members[group]}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        args = await self._args(request)
        args["response_url_name"] = request.match_info["name"]
        self._record(Call("respond", args, None, time.monotonic()))
        return web.Response(text="ok")
