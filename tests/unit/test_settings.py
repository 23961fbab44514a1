from __future__ import annotations

import pytest

from backend.settings import ApiSettings, load_settings


def test_missing_token_stops_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.chdir("/")  # no .env
    with pytest.raises(SystemExit) as stop:
        load_settings(ApiSettings)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == "runbooks: setting API_TOKEN is required but not set"


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("API_TOKEN", "changeme", "API_TOKEN is invalid: Value error, is a placeholder"),
        ("API_TOKEN", "short", "API_TOKEN is invalid"),
        ("API_PORT", "70000", "API_PORT is invalid"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL is invalid"),
    ],
)
def test_invalid_setting_is_named_and_value_not_echoed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    fragment: str,
) -> None:
    monkeypatch.chdir("/")
    monkeypatch.setenv("API_TOKEN", "a-real-token-of-some-length")
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit):
        load_settings(ApiSettings)
    err = capsys.readouterr().err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    if name == "API_TOKEN":
        assert value not in err.replace("API_TOKEN", "")


def test_defaults_match_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    for var in ("DATABASE_URL", "RABBITMQ_URL", "API_PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("API_TOKEN", "a-real-token-of-some-length")
    settings = ApiSettings()
    assert settings.database_url == "postgresql://postgres@127.0.0.1:5432/runbooks"
    assert settings.rabbitmq_url == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.api_port == 3001
