"""Slack settings: tokens of the right kind, one line naming what is missing or wrong."""

from __future__ import annotations

import pytest

from agent.slack.roles import Role
from agent.slack.settings import SlackBotSettings, load_bot_settings

BOT = "xoxb-1111-2222-abcdefabcdef"
APP = "xapp-1-A111-2222-abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_MODE",
        "SLACK_ROLES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env from the work tree


def stop_line(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        load_bot_settings()
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    return err


def test_missing_bot_token_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", APP)
    assert stop_line(capsys) == "runbooks: setting SLACK_BOT_TOKEN is required but not set"


def test_app_token_given_as_bot_token_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", APP)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP)
    line = stop_line(capsys)
    assert line.startswith("runbooks: setting SLACK_BOT_TOKEN is invalid")
    assert "an app-level token" in line and "xoxb-" in line
    assert APP not in line


def test_bot_token_given_as_app_token_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_APP_TOKEN", BOT)
    line = stop_line(capsys)
    assert line.startswith("runbooks: setting SLACK_APP_TOKEN is invalid")
    assert "a bot token" in line and "xapp-" in line
    assert BOT not in line


def test_neither_app_token_nor_signing_secret_names_the_app_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    assert "SLACK_APP_TOKEN is required" in stop_line(capsys)


def test_http_mode_needs_the_signing_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP)
    monkeypatch.setenv("SLACK_MODE", "http")
    assert stop_line(capsys) == (
        "runbooks: setting SLACK_SIGNING_SECRET is required for HTTP mode but not set"
    )


def test_modes_and_roles_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5")
    monkeypatch.setenv("SLACK_ROLES", "U1=approver,S2=operator")
    settings = load_bot_settings()
    assert settings.resolved_mode == "http"
    assert settings.slack_roles == {"U1": Role.APPROVER, "S2": Role.OPERATOR}
    monkeypatch.setenv("SLACK_APP_TOKEN", APP)
    assert SlackBotSettings().resolved_mode == "socket"


def test_bad_roles_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP)
    monkeypatch.setenv("SLACK_ROLES", "U1=boss")
    line = stop_line(capsys)
    assert line.startswith("runbooks: setting SLACK_ROLES is invalid") and "boss" in line
