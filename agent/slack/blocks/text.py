"""Safe Slack text: escaping of untrusted strings, excerpts, durations, user mentions."""

from __future__ import annotations

from typing import Any

SEVERITY_EMOJI = {
    "critical": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
    "low": ":white_circle:",
}
# Slack refuses a section text over 3000 characters; keep cards well under it.
EXCERPT_CHARS = 600


def escape(value: object) -> str:
    """Escape the three characters mrkdwn treats as markup, so log text can't ping or link."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """The first `limit` characters of an untrusted text, escaped and with backticks defused."""
    text = value.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return escape(text).replace("```", "ˋˋˋ")


def duration(seconds: float | None) -> str:
    """`3d 4h`, `2h 5m`, `4m 12s`, `9s`."""
    if seconds is None:
        return "n/a"
    total = max(0, round(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def who(actor: str | None) -> str:
    """A Slack mention for `slack:U123` (or a bare user id), the name otherwise."""
    if not actor:
        return "someone"
    user = actor.removeprefix("slack:")
    if user[:1] in ("U", "W") and user.isalnum() and user.upper() == user:
        return f"<@{user}>"
    return escape(actor)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def fields(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": f"*{label}*\n{value}"} for label, value in pairs],
    }


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def button(
    label: str, action_id: str, value: str, *, style: str | None = None, confirm: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = {
            "title": {"type": "plain_text", "text": "Are you sure?"},
            "text": {"type": "mrkdwn", "text": confirm},
            "confirm": {"type": "plain_text", "text": label},
            "deny": {"type": "plain_text", "text": "Cancel"},
        }
    return element
