"""Roles and the scopes they grant: the ONE place that defines this mapping.

Tokens carry both ``roles`` and the derived space-separated ``scope`` claim (RFC 8693 §4.2
style), so the router can enforce ``@requiresScopes`` without knowing the mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

__all__ = [
    "ADMIN_READ",
    "ADMIN_USERS",
    "BI_READ",
    "COACH_ATHLETES",
    "DEVICES_READ",
    "DEVICES_WRITE",
    "KNOWN_ROLES",
    "KNOWN_SCOPES",
    "NOTIFICATIONS_READ",
    "NOTIFICATIONS_WRITE",
    "PROFILE_READ",
    "PROFILE_WRITE",
    "ROLE_ADMIN",
    "ROLE_BI",
    "ROLE_COACH",
    "ROLE_SCOPES",
    "ROLE_USER",
    "SOCIAL_READ",
    "SOCIAL_WRITE",
    "TRAINING_INGEST",
    "WORKOUTS_READ",
    "WORKOUTS_WRITE",
    "scopes_for",
    "validate_roles",
]

ROLE_USER = "user"
ROLE_COACH = "coach"
ROLE_ADMIN = "admin"
ROLE_BI = "bi"

PROFILE_READ = "profile:read"
PROFILE_WRITE = "profile:write"
WORKOUTS_READ = "workouts:read"
WORKOUTS_WRITE = "workouts:write"
SOCIAL_READ = "social:read"
SOCIAL_WRITE = "social:write"
NOTIFICATIONS_READ = "notifications:read"
NOTIFICATIONS_WRITE = "notifications:write"
DEVICES_READ = "devices:read"
DEVICES_WRITE = "devices:write"
COACH_ATHLETES = "coach:athletes"
ADMIN_USERS = "admin:users"
ADMIN_READ = "admin:read"
BI_READ = "bi:read"
TRAINING_INGEST = "training:ingest"

_USER_SCOPES = frozenset(
    {
        PROFILE_READ,
        PROFILE_WRITE,
        WORKOUTS_READ,
        WORKOUTS_WRITE,
        SOCIAL_READ,
        SOCIAL_WRITE,
        NOTIFICATIONS_READ,
        NOTIFICATIONS_WRITE,
        DEVICES_READ,
        DEVICES_WRITE,
    }
)

# Every role can read and edit its own profile, so an account holding a single role (the demo
# coach or BI analyst) can still use `me` / `updateProfile`. Roles are additive.
ROLE_SCOPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        ROLE_USER: _USER_SCOPES,
        ROLE_COACH: _USER_SCOPES | {COACH_ATHLETES},
        # Admins manage accounts and read everything, but device ingestion stays a service
        # capability: "training:ingest" is granted to no human role and only appears in
        # service tokens minted with explicit scopes.
        ROLE_ADMIN: frozenset(
            {PROFILE_READ, PROFILE_WRITE, WORKOUTS_READ, NOTIFICATIONS_READ, ADMIN_USERS, ADMIN_READ}
        ),
        ROLE_BI: frozenset({PROFILE_READ, PROFILE_WRITE, BI_READ}),
    }
)

KNOWN_ROLES: frozenset[str] = frozenset(ROLE_SCOPES)

KNOWN_SCOPES: frozenset[str] = frozenset().union(*ROLE_SCOPES.values()) | {TRAINING_INGEST}


def validate_roles(roles: Iterable[str]) -> frozenset[str]:
    """Return ``roles`` as a frozenset, raising ``ValueError`` naming any unknown role."""
    if isinstance(roles, str):
        # A bare string is iterable; "admin" must not silently become {"a", "d", "m", ...}.
        raise ValueError("roles must be a collection of role names, not a single string")
    result = frozenset(roles)
    for role in result:
        if not isinstance(role, str):
            raise ValueError(f"role names must be strings, got {type(role).__name__}")
    unknown = result - KNOWN_ROLES
    if unknown:
        raise ValueError(
            f"unknown role(s): {', '.join(sorted(unknown))}; known roles: {', '.join(sorted(KNOWN_ROLES))}"
        )
    return result


def scopes_for(roles: Iterable[str]) -> frozenset[str]:
    """Union of the scopes granted by ``roles`` (unknown roles raise ``ValueError``)."""
    return frozenset().union(*(ROLE_SCOPES[role] for role in validate_roles(roles)))
