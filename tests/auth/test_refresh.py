"""Opaque refresh tokens and single-use tokens: format, hashing, uniqueness, policy."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from auth.refresh import (
    RefreshTokenPolicy,
    family_id_of,
    hash_opaque_token,
    hash_refresh_token,
    new_opaque_token,
    new_refresh_token,
)


def test_refresh_token_format_and_hash() -> None:
    token, digest = new_refresh_token()
    family, secret = token.split(".")
    assert re.fullmatch(r"[0-9a-f]{32}", family)
    assert len(secret) == 43  # 32 random bytes, base64url
    assert digest == hashlib.sha256(token.encode()).hexdigest() == hash_refresh_token(token)
    assert family_id_of(token) == family


def test_rotation_keeps_family_and_changes_secret() -> None:
    first, first_hash = new_refresh_token()
    family = family_id_of(first)
    assert family is not None
    second, second_hash = new_refresh_token(family)
    assert family_id_of(second) == family
    assert second != first and second_hash != first_hash
    with pytest.raises(ValueError, match="family_id"):
        new_refresh_token("../etc")


def test_tokens_and_hashes_are_unique() -> None:
    issued = [new_refresh_token() for _ in range(500)]
    assert len({t for t, _ in issued}) == 500
    assert len({h for _, h in issued}) == 500
    assert len({family_id_of(t) for t, _ in issued}) == 500
    opaque = [new_opaque_token() for _ in range(500)]
    assert len({t for t, _ in opaque}) == 500 and len({h for _, h in opaque}) == 500


def test_hash_is_deterministic_and_sensitive() -> None:
    token, digest = new_opaque_token()
    assert hash_opaque_token(token) == digest
    assert hash_opaque_token(token[:-1] + ("A" if token[-1] != "A" else "B")) != digest
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert token not in digest


@pytest.mark.parametrize("value", ["", "abc", "x.y", "0" * 32 + "." + "!" * 43, "0" * 32, 42])
def test_family_id_of_malformed(value: object) -> None:
    assert family_id_of(value) is None  # type: ignore[arg-type]


def test_policy() -> None:
    policy = RefreshTokenPolicy()
    assert policy.ttl == timedelta(days=30) and policy.ttl_seconds == 30 * 86400
    assert RefreshTokenPolicy(ttl=timedelta(hours=1), family_max_age=timedelta(hours=2)).ttl_seconds == 3600
    with pytest.raises(ValueError, match="positive"):
        RefreshTokenPolicy(ttl=timedelta(0))
    with pytest.raises(ValueError, match="family_max_age"):
        RefreshTokenPolicy(ttl=timedelta(days=10), family_max_age=timedelta(days=1))
