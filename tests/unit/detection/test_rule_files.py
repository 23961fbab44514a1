"""Rule files: what loads, and errors that name the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.detection.rule_model import FrequencyRule
from backend.detection.rule_syntax import parse_window
from backend.detection.rules import RulesError, load_rules, rules_from_yaml

GOOD = """
- name: jenkins_timeout
  type: frequency
  source: jenkins
  severity: high
  match: {levels: [ERROR], message_regex: 'timed out'}
  window: 5m
  min_count: 2
  group_by: [job_name]
"""


def rule_text(**fields: object) -> str:
    """GOOD with fields replaced (None removes one)."""
    lines = ["- name: jenkins_timeout"] if "name" not in fields else []
    base: dict[str, object] = {
        "type": "frequency",
        "source": "jenkins",
        "severity": "high",
        "match": "{levels: [ERROR]}",
        "window": "5m",
        "min_count": "2",
    }
    base.update({k: v for k, v in fields.items() if k != "name"})
    if "name" in fields and fields["name"] is not None:
        lines = [f"- name: {fields['name']}"]
    if not lines:
        lines = ["- description: nameless"]
    lines += [f"  {key}: {value}" for key, value in base.items() if value is not None]
    return "\n".join(lines) + "\n"


def test_a_good_file_loads() -> None:
    [rule] = rules_from_yaml(GOOD, "rules/jenkins.yaml")
    assert isinstance(rule, FrequencyRule)
    assert (rule.window, rule.min_count, rule.group_by) == (300, 2, ("job_name",))


def test_a_mapping_with_rules_loads_too() -> None:
    [rule] = rules_from_yaml("rules:\n" + GOOD.replace("\n", "\n  "), "rules/jenkins.yaml")
    assert rule.name == "jenkins_timeout"


ERRORS: list[tuple[str, str, str]] = [
    (
        "unknown type",
        rule_text(type="freq"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'type': unknown rule type 'freq'",
    ),
    (
        "missing type",
        rule_text(type=None),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'type': is required",
    ),
    (
        "missing window",
        rule_text(window=None),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'window': is required",
    ),
    (
        "bad window unit",
        rule_text(window="5 minutes"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'window': must be seconds or a duration",
    ),
    (
        "window not a bucket multiple",
        rule_text(window="15s"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'window': must be a positive multiple of 10s",
    ),
    (
        "bad regex",
        rule_text(match="{message_regex: 'exit code ([1-9'}"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'match.message_regex': invalid regular expression",
    ),
    (
        "bad regex in a list",
        rule_text(match="{message_regex: ['ok', '(?P<x']}"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'match.message_regex': invalid regular expression '(?P<x'",
    ),
    (
        "misspelt field",
        rule_text(min_cout=2),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'min_cout': is not a known field",
    ),
    (
        "unknown severity",
        rule_text(severity="urgent"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'severity': Input should be",
    ),
    (
        "condition of the other source",
        rule_text(match="{http_status: [500]}"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'match.http_status': does not apply to jenkins logs",
    ),
    (
        "group by a field of the other source",
        rule_text(group_by="[endpoint]"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'group_by': 'endpoint' is not a jenkins field",
    ),
    (
        "unknown title placeholder",
        rule_text(title="'{job} failed'"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'title': unknown placeholder {job}",
    ),
    (
        "bad status range",
        rule_text(source="api", match="{http_status: ['599-500']}"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'match.http_status.0': must lie within 100-599",
    ),
    (
        "match rule without conditions",
        rule_text(type="match", window=None, min_count=None, match="{}"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'match': a match rule needs at least one condition",
    ),
    (
        "flatline groups that do not fit group_by",
        rule_text(type="flatline", group_by="[job_name]", groups="[{job: x}]"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'groups': each group must give exactly",
    ),
    (
        "remediation action",
        rule_text(remediation="{action: reboot}"),
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'remediation.action': Input should be",
    ),
    (
        "rule without a name",
        rule_text(name=None),
        "rules/jenkins.yaml: rule '#1': field 'name': is required",
    ),
    (
        "name unfit for a fingerprint",
        rule_text(name="'Jenkins|Timeout'"),
        "rules/jenkins.yaml: rule 'Jenkins|Timeout': field 'name': must be lower case",
    ),
    ("not a list", "name: x\n", "rules/jenkins.yaml: expected a list of rules"),
    ("invalid YAML", "- name: [x\n", "rules/jenkins.yaml: invalid YAML"),
    ("entry not a mapping", "- just text\n", "rules/jenkins.yaml: rule #1 is not a mapping"),
    (
        "same name twice",
        GOOD + GOOD,
        "rules/jenkins.yaml: rule 'jenkins_timeout': field 'name': duplicates the rule of the same name",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_rules_name_file_rule_and_field(case: str, text: str, message: str) -> None:
    with pytest.raises(RulesError) as raised:
        rules_from_yaml(text, "rules/jenkins.yaml")
    assert str(raised.value).startswith(message), str(raised.value)


def test_the_error_carries_its_parts() -> None:
    with pytest.raises(RulesError) as raised:
        rules_from_yaml(rule_text(window="7s"), "rules/jenkins.yaml")
    error = raised.value
    assert (error.origin, error.rule, error.field) == (
        "rules/jenkins.yaml",
        "jenkins_timeout",
        "window",
    )
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("value", "seconds"), [(60, 60), ("90s", 90), ("5m", 300), ("1h", 3600), ("1d", 86400)]
)
def test_windows(value: object, seconds: int) -> None:
    assert parse_window(value) == seconds


def test_a_directory_loads_every_yaml_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text(GOOD.replace("jenkins_timeout", "second"))
    (tmp_path / "a.yaml").write_text(GOOD.replace("jenkins_timeout", "first"))
    (tmp_path / "notes.txt").write_text("not rules")
    assert [rule.name for rule in load_rules(tmp_path)] == ["first", "second"]


def test_a_name_used_in_two_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(RulesError) as raised:
        load_rules(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'b.yaml'}: rule 'jenkins_timeout': field 'name': "
        f"duplicates the rule of the same name in {tmp_path / 'a.yaml'}"
    )


def test_an_invalid_file_in_a_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(GOOD)
    (tmp_path / "broken.yaml").write_text(rule_text(name="other", window="abc"))
    with pytest.raises(RulesError, match=r"broken\.yaml: rule 'other': field 'window'"):
        load_rules(tmp_path)


def test_an_empty_or_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="holds no rule files"):
        load_rules(tmp_path)
    with pytest.raises(RulesError, match="is not a directory"):
        load_rules(tmp_path / "missing")
