from __future__ import annotations

import pytest

from backend.domain.statuses import (
    ActionStatus,
    IncidentStatus,
    action_can_move,
    action_sources_for,
    incident_can_move,
    incident_sources_for,
)

Inc = IncidentStatus
A = ActionStatus


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Inc.DETECTED, Inc.NOTIFIED, True),
        (Inc.DETECTED, Inc.ACKNOWLEDGED, True),
        (Inc.DETECTED, Inc.RESOLVED, True),
        (Inc.NOTIFIED, Inc.ACKNOWLEDGED, True),
        (Inc.ACKNOWLEDGED, Inc.INVESTIGATING, True),
        (Inc.INVESTIGATING, Inc.RESOLVED, True),
        (Inc.ACKNOWLEDGED, Inc.ACKNOWLEDGED, False),
        (Inc.ACKNOWLEDGED, Inc.NOTIFIED, False),
        (Inc.RESOLVED, Inc.ACKNOWLEDGED, False),
        (Inc.RESOLVED, Inc.RESOLVED, False),
        (Inc.INVESTIGATING, Inc.DETECTED, False),
    ],
)
def test_incident_transitions(current: Inc, target: Inc, allowed: bool) -> None:
    assert incident_can_move(current, target) is allowed


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (A.REQUESTED, A.AWAITING_APPROVAL, True),
        (A.REQUESTED, A.APPROVED, True),
        (A.AWAITING_APPROVAL, A.APPROVED, True),
        (A.AWAITING_APPROVAL, A.REJECTED, True),
        (A.APPROVED, A.RUNNING, True),
        (A.RUNNING, A.SUCCEEDED, True),
        (A.RUNNING, A.UNKNOWN, True),
        (A.REQUESTED, A.RUNNING, False),
        (A.AWAITING_APPROVAL, A.RUNNING, False),
        (A.SUCCEEDED, A.RUNNING, False),
        (A.RUNNING, A.RUNNING, False),
        (A.UNKNOWN, A.RUNNING, False),
    ],
)
def test_action_transitions(current: A, target: A, allowed: bool) -> None:
    assert action_can_move(current, target) is allowed


def test_sources_invert_the_table() -> None:
    assert incident_sources_for(Inc.ACKNOWLEDGED) == {Inc.DETECTED, Inc.NOTIFIED}
    assert action_sources_for(A.RUNNING) == {A.APPROVED}
