"""Password hashing with Argon2id (RFC 9106) via argon2-cffi, plus strength rules."""

from __future__ import annotations

import asyncio

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PasswordHasher",
    "validate_password_strength",
]

MIN_PASSWORD_LENGTH = 8
# Bounds the work an attacker can force per login attempt and rejects pasted blobs.
MAX_PASSWORD_LENGTH = 256


def validate_password_strength(password: str) -> str:
    """Return ``password`` unchanged, or raise ``ValueError`` with a user-facing message."""
    if not isinstance(password, str):
        raise ValueError("password must be a string")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"password must be at most {MAX_PASSWORD_LENGTH} characters long")
    if not password.strip():
        raise ValueError("password must not consist only of whitespace")
    if "\x00" in password:
        raise ValueError("password must not contain NUL characters")
    return password


class PasswordHasher:
    """Argon2id hasher.

    Defaults follow RFC 9106 §4's second recommended option (t=3, m=64 MiB, p=4). Hashes made
    with other parameters still verify; :meth:`verify_and_update` returns a fresh hash for
    them so parameters can be raised over time ("rehash on login").
    """

    def __init__(self, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )

    @classmethod
    def for_tests(cls) -> PasswordHasher:
        """Cheap parameters (t=1, m=1 MiB, p=1) so test suites stay fast. Never in production."""
        return cls(time_cost=1, memory_cost=1024, parallelism=1)

    @property
    def time_cost(self) -> int:
        return self._hasher.time_cost

    @property
    def memory_cost(self) -> int:
        return self._hasher.memory_cost

    @property
    def parallelism(self) -> int:
        return self._hasher.parallelism

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """True when ``password`` matches; False on mismatch or an unreadable stored hash."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def verify_and_update(self, stored_hash: str, password: str) -> tuple[bool, str | None]:
        """``(ok, new_hash)``: new_hash is set only when ok and the parameters have changed."""
        if not self.verify(stored_hash, password):
            return False, None
        return True, (self.hash(password) if self.needs_rehash(stored_hash) else None)

    # Argon2id with production parameters costs tens of milliseconds of CPU and memory-bound
    # work: async callers run it in a worker thread so the event loop keeps serving requests.
    async def hash_async(self, password: str) -> str:
        return await asyncio.to_thread(self.hash, password)

    async def verify_async(self, stored_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self.verify, stored_hash, password)

    async def verify_and_update_async(self, stored_hash: str, password: str) -> tuple[bool, str | None]:
        return await asyncio.to_thread(self.verify_and_update, stored_hash, password)
