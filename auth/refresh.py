"""Opaque refresh tokens and single-use tokens (password reset), stored only as hashes.

A refresh token is ``<family_id>.<secret>``: the family id (public, a UUID hex) lets the store
find and revoke the whole rotation family when a spent token is reused (OAuth 2.0 Security
BCP, RFC 9700 §4.14.2); the secret carries 256 bits of entropy. Stores keep only
``hash_refresh_token(token)``. A plain SHA-256 is enough (no salt/KDF) because the input is a
high-entropy random value, not a password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

__all__ = [
    "RefreshTokenPolicy",
    "family_id_of",
    "hash_opaque_token",
    "hash_refresh_token",
    "new_opaque_token",
    "new_refresh_token",
]

_SECRET_BYTES = 32
_REFRESH_FORMAT = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")


def _sha256_hex(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_refresh_token(family_id: str | None = None) -> tuple[str, str]:
    """``(token, sha256_hex)``; pass the current ``family_id`` when rotating."""
    family = family_id if family_id is not None else uuid.uuid4().hex
    if not re.fullmatch(r"[0-9a-f]{32}", family):
        raise ValueError("family_id must be 32 lowercase hex characters")
    token = f"{family}.{secrets.token_urlsafe(_SECRET_BYTES)}"
    return token, _sha256_hex(token)


def hash_refresh_token(token: str) -> str:
    return _sha256_hex(token)


def family_id_of(token: str) -> str | None:
    """The family id of a well-formed refresh token, or None (treat as invalid)."""
    match = _REFRESH_FORMAT.fullmatch(token) if isinstance(token, str) else None
    return match.group(1) if match else None


def new_opaque_token() -> tuple[str, str]:
    """``(token, sha256_hex)`` for single-use tokens such as password resets."""
    token = secrets.token_urlsafe(_SECRET_BYTES)
    return token, _sha256_hex(token)


def hash_opaque_token(token: str) -> str:
    return _sha256_hex(token)


@dataclass(frozen=True, slots=True)
class RefreshTokenPolicy:
    """Lifetimes; rotation and family revocation are enforced by the store that uses this."""

    ttl: timedelta = timedelta(days=30)
    # Absolute cap for a family, however often it is rotated: forces a fresh login eventually.
    family_max_age: timedelta = timedelta(days=90)
    reset_token_ttl: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        for name in ("ttl", "family_max_age", "reset_token_ttl"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive")
        if self.family_max_age < self.ttl:
            raise ValueError("family_max_age must be at least ttl")

    @property
    def ttl_seconds(self) -> int:
        return int(self.ttl.total_seconds())
