"""Roles: parsing SLACK_ROLES and resolving a user's role through users and groups."""

from __future__ import annotations

import pytest

from agent.slack.roles import Role, RoleDirectory, parse_roles, role_for


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, {}),
        ("", {}),
        ("U1=approver,S2=operator", {"U1": Role.APPROVER, "S2": Role.OPERATOR}),
        (" U1 = Viewer , ", {"U1": Role.VIEWER}),
        ("W9:operator", {"W9": Role.OPERATOR}),
        ('{"U1": "approver", "S7": "viewer"}', {"U1": Role.APPROVER, "S7": Role.VIEWER}),
        ({"U3": "operator"}, {"U3": Role.OPERATOR}),
    ],
)
def test_parse_roles_accepts_pairs_and_json(raw: object, expected: dict[str, Role]) -> None:
    assert parse_roles(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("U1=admin", "unknown role 'admin'"),
        ("U1", "is not id=role"),
        ("C123=approver", "is not a Slack user"),
        ("[1, 2]", "is not id=role"),
    ],
)
def test_parse_roles_refuses_bad_entries(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_roles(raw)


ROLES = {"U_APP": Role.APPROVER, "U_OP": Role.OPERATOR, "S_ONCALL": Role.APPROVER}


@pytest.mark.parametrize(
    ("user", "groups", "expected"),
    [
        ("U_APP", [], Role.APPROVER),
        ("U_OP", [], Role.OPERATOR),
        ("U_NOBODY", [], Role.VIEWER),
        ("U_NOBODY", ["S_OTHER"], Role.VIEWER),
        ("U_OP", ["S_ONCALL"], Role.APPROVER),
        ("U_NOBODY", ["S_ONCALL"], Role.APPROVER),
    ],
)
def test_role_for_takes_the_highest_grant(user: str, groups: list[str], expected: Role) -> None:
    assert role_for(user, groups, ROLES) is expected


async def test_directory_reads_groups_and_caches_them() -> None:
    lookups: list[str] = []
    now = [0.0]

    async def members(group: str) -> list[str]:
        lookups.append(group)
        return ["U_G"]

    directory = RoleDirectory(
        {"S_ONCALL": Role.OPERATOR}, members, cache_ttl_s=60, clock=lambda: now[0]
    )
    assert await directory.role_of("U_G") is Role.OPERATOR
    assert await directory.role_of("U_X") is Role.VIEWER
    assert lookups == ["S_ONCALL"]
    now[0] = 61.0
    assert await directory.role_of("U_G") is Role.OPERATOR
    assert lookups == ["S_ONCALL", "S_ONCALL"]


async def test_directory_fails_closed_when_groups_cannot_be_read() -> None:
    async def members(group: str) -> list[str]:
        raise RuntimeError("missing_scope")

    directory = RoleDirectory({"S_ONCALL": Role.APPROVER, "U_OP": Role.OPERATOR}, members)
    assert await directory.role_of("U_ANY") is Role.VIEWER
    assert await directory.role_of("U_OP") is Role.OPERATOR
