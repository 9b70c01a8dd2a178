"""Argon2id hashing, rehash on parameter change, and password strength rules."""

from __future__ import annotations

import pytest

from auth.passwords import PasswordHasher, validate_password_strength


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher.for_tests()


def test_hash_and_verify(hasher: PasswordHasher) -> None:
    stored = hasher.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert hasher.verify(stored, "correct horse battery")
    assert not hasher.verify(stored, "correct horse batterY")
    assert hasher.hash("correct horse battery") != stored  # random salt per hash


def test_unreadable_hash_does_not_verify(hasher: PasswordHasher) -> None:
    assert not hasher.verify("not-a-hash", "whatever1")
    assert not hasher.verify("", "whatever1")
    assert hasher.needs_rehash("not-a-hash")


def test_unicode_passwords(hasher: PasswordHasher) -> None:
    stored = hasher.hash("пароль-ünïcødé-🏋️")
    assert hasher.verify(stored, "пароль-ünïcødé-🏋️")
    assert not hasher.verify(stored, "пароль-unicode-🏋️")


def test_rehash_when_parameters_change(hasher: PasswordHasher) -> None:
    stored = hasher.hash("Sup3r-secret")
    assert not hasher.needs_rehash(stored)
    assert hasher.verify_and_update(stored, "Sup3r-secret") == (True, None)

    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert stronger.verify(stored, "Sup3r-secret")  # old hashes keep working
    assert stronger.needs_rehash(stored)
    ok, new_hash = stronger.verify_and_update(stored, "Sup3r-secret")
    assert ok and new_hash is not None
    assert "m=2048,t=2,p=1" in new_hash
    assert not stronger.needs_rehash(new_hash) and stronger.verify(new_hash, "Sup3r-secret")

    assert stronger.verify_and_update(stored, "wrong-password") == (False, None)


def test_default_parameters_follow_rfc9106() -> None:
    default = PasswordHasher()
    assert (default.time_cost, default.memory_cost, default.parallelism) == (3, 65536, 4)
    cheap = PasswordHasher.for_tests()
    assert cheap.memory_cost < default.memory_cost


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "at least 8"),
        ("short7!", "at least 8"),
        ("x" * 257, "at most 256"),
        (" " * 12, "whitespace"),
        ("abc\x00defgh", "NUL"),
        (12345678, "string"),
    ],
)
def test_strength_errors(password: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_password_strength(password)  # type: ignore[arg-type]


@pytest.mark.parametrize("password", ["8charsOK", "x" * 256, "FitGraph-demo-1", "пароль12"])
def test_strength_accepts(password: str) -> None:
    assert validate_password_strength(password) == password


async def test_async_variants_off_the_event_loop(hasher: PasswordHasher) -> None:
    stored = await hasher.hash_async("Async-pass-1")
    assert await hasher.verify_async(stored, "Async-pass-1")
    assert not await hasher.verify_async(stored, "Async-pass-2")
    stronger = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    ok, new_hash = await stronger.verify_and_update_async(stored, "Async-pass-1")
    assert ok and new_hash is not None and stronger.verify(new_hash, "Async-pass-1")
