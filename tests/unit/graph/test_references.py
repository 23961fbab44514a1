"""Reading what a request points at: "the second one" after a list, "acción 7"."""

from __future__ import annotations

import pytest

from graph.references import Reference, anchored_read, ordinal_reference

INCIDENTS = [
    ("user", "¿qué incidentes críticos hay?"),
    ("assistant", "2 incidentes: #43 respuestas 503 en /api (critical), #47 falló team/x #44."),
]
OUR_LINES = [
    ("user", "active incidents?"),
    ("assistant", "OK: 3 active incidents\n- id=5, severity=high\n- id=9\n- id=12, job_name=x"),
]
ACTIONS = [("assistant", "Actions waiting: #3 restart deploy-prod 12, #8 stop api-gateway 40.")]


@pytest.mark.parametrize(
    ("message", "history", "expected"),
    [
        ("tell me more about the second one", INCIDENTS, Reference("get_incident", "incident_id", 47)),
        ("cuéntame más del segundo", INCIDENTS, Reference("get_incident", "incident_id", 47)),
        ("and the first?", INCIDENTS, Reference("get_incident", "incident_id", 43)),
        ("open the last one", OUR_LINES, Reference("get_incident", "incident_id", 12)),
        ("what about the 2nd", OUR_LINES, Reference("get_incident", "incident_id", 9)),
        ("y la segunda acción?", ACTIONS, Reference("get_action_status", "action_id", 8)),
    ],
)  # fmt: skip
def test_an_ordinal_after_a_list_is_that_item(
    message: str, history: list[tuple[str, str]], expected: Reference
) -> None:
    assert ordinal_reference(message, history) == expected


@pytest.mark.parametrize(
    ("message", "history"),
    [
        ("show the last 3 hours", INCIDENTS),  # a time window, not an item
        ("errors in the last two days", INCIDENTS),
        ("the third one", INCIDENTS),  # the list has two
        ("the second one", [("assistant", "deploy-prod #44 is FAILURE.")]),  # no list kind
        ("the second one", []),
        ("the second one, incident 12", INCIDENTS),  # a number of its own wins
    ],
)
def test_no_item_without_a_list_or_with_a_time_window(
    message: str, history: list[tuple[str, str]]
) -> None:
    assert ordinal_reference(message, history) is None


def test_one_anchored_id_is_its_read() -> None:
    assert anchored_read("¿cómo va la acción 7?") == Reference("get_action_status", "action_id", 7)
    assert anchored_read("incident #42 please") == Reference("get_incident", "incident_id", 42)
    assert anchored_read("action eleven") == Reference("get_action_status", "action_id", 11)
    assert anchored_read("what's 17 times 23?") is None
    assert anchored_read("incident 4 and action 5") is None  # two of them: the model decides
