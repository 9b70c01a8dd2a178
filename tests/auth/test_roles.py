"""The roles → scopes mapping."""

from __future__ import annotations

import pytest

from auth import roles
from auth.roles import KNOWN_ROLES, KNOWN_SCOPES, ROLE_SCOPES, scopes_for, validate_roles


def test_known_roles() -> None:
    assert KNOWN_ROLES == frozenset({"user", "coach", "admin", "bi"})
    assert set(ROLE_SCOPES) == KNOWN_ROLES


@pytest.mark.parametrize(
    ("role", "granted", "denied"),
    [
        (
            "user",
            {
                "profile:read",
                "profile:write",
                "workouts:read",
                "workouts:write",
                "social:write",
                "notifications:read",
            },
            {"admin:users", "bi:read", "coach:athletes", "training:ingest"},
        ),
        ("coach", {"coach:athletes", "workouts:read", "profile:write"}, {"admin:users", "bi:read"}),
        ("admin", {"admin:users", "admin:read", "profile:read"}, {"bi:read", "training:ingest"}),
        ("bi", {"bi:read", "profile:read"}, {"workouts:read", "admin:read"}),
    ],
)
def test_role_grants(role: str, granted: set[str], denied: set[str]) -> None:
    scopes = scopes_for([role])
    assert granted <= scopes
    assert not denied & scopes


def test_scopes_are_the_union_of_roles() -> None:
    assert scopes_for(["user", "admin"]) == ROLE_SCOPES["user"] | ROLE_SCOPES["admin"]
    assert scopes_for([]) == frozenset()
    assert scopes_for(("bi", "bi")) == ROLE_SCOPES["bi"]


def test_every_scope_is_declared_and_well_formed() -> None:
    declared = {value for name, value in vars(roles).items() if name.isupper() and isinstance(value, str)}
    scopes = {value for value in declared if ":" in value}
    assert scopes == set(KNOWN_SCOPES)
    assert all(len(s.split(":")) == 2 and s == s.lower() and " " not in s for s in KNOWN_SCOPES)


def test_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        ROLE_SCOPES["root"] = frozenset({"admin:users"})  # type: ignore[index]


def test_unknown_role_rejected() -> None:
    with pytest.raises(ValueError, match="unknown role\\(s\\): root, superuser"):
        validate_roles(["user", "superuser", "root"])
    with pytest.raises(ValueError, match="unknown role"):
        scopes_for(["Admin"])  # role names are case-sensitive
    with pytest.raises(ValueError, match="single string"):
        validate_roles("admin")
    with pytest.raises(ValueError, match="strings"):
        validate_roles([1])  # type: ignore[list-item]
    assert validate_roles(["coach", "user"]) == frozenset({"coach", "user"})
