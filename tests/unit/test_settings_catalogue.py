from __future__ import annotations

from pathlib import Path

from backend.settings_catalogue import collect, markdown_table, readme_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_has_a_meaning_and_a_reader() -> None:
    settings = collect()
    assert len({s.name for s in settings}) == len(settings)
    assert [s.name for s in settings if not s.meaning] == []
    assert all(s.services for s in settings)
    names = {s.name for s in settings}
    assert {"DATABASE_URL", "API_TOKEN", "JENKINS_URL", "SLACK_BOT_TOKEN", "ES_URL"} <= names


def test_secrets_show_no_default_value() -> None:
    table = markdown_table()
    token_row = next(line for line in table.splitlines() if line.startswith("| `API_TOKEN`"))
    assert "**required**" in token_row


def test_readme_table_matches_the_code() -> None:
    # Regenerate with: python -m backend.settings_catalogue README.md
    assert readme_table(README) == markdown_table()
