"""Login throttling per account and per client address, with exponential back-off.

Failures are counted in a window; once a counter reaches its threshold every further failure
locks the key for ``base * 2**(failures - threshold)`` seconds (capped). While locked, attempts
are refused before the password is even checked, so a locked account cannot be brute-forced.
"""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.common.errors import RateLimited
from subgraphs.common.kv import KeyValueStore

__all__ = ["LoginThrottle", "RequestLimiter", "ThrottlePolicy"]


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    account_threshold: int = 5
    address_threshold: int = 20
    window_seconds: float = 900.0
    base_seconds: float = 1.0
    max_seconds: float = 900.0

    def lock_seconds(self, failures: int, threshold: int) -> float:
        if failures < threshold:
            return 0.0
        return min(self.max_seconds, self.base_seconds * 2 ** (failures - threshold))


class LoginThrottle:
    def __init__(self, kv: KeyValueStore, policy: ThrottlePolicy) -> None:
        self._kv = kv
        self.policy = policy

    @staticmethod
    def _keys(kind: str, value: str) -> tuple[str, str]:
        return f"login:fail:{kind}:{value}", f"login:lock:{kind}:{value}"

    def _subjects(self, account: str, address: str | None) -> list[tuple[str, str, int]]:
        subjects = [("account", account, self.policy.account_threshold)]
        if address:
            subjects.append(("address", address, self.policy.address_threshold))
        return subjects

    async def check(self, *, account: str, address: str | None) -> None:
        """Raise RATE_LIMITED while the account or the address is locked."""
        for kind, value, _ in self._subjects(account, address):
            _, lock_key = self._keys(kind, value)
            remaining = await self._kv.ttl(lock_key)
            if remaining is not None and remaining > 0:
                raise RateLimited(
                    "Too many failed login attempts; try again later",
                    retry_after_seconds=max(1, round(remaining + 0.499)),
                    scope=kind,
                )

    async def record_failure(self, *, account: str, address: str | None) -> None:
        for kind, value, threshold in self._subjects(account, address):
            fail_key, lock_key = self._keys(kind, value)
            failures = await self._kv.incr(fail_key, ttl_seconds=self.policy.window_seconds)
            lock = self.policy.lock_seconds(failures, threshold)
            if lock > 0:
                await self._kv.set(lock_key, str(failures), ttl_seconds=lock)

    async def record_success(self, *, account: str) -> None:
        # Only the account is forgiven: an address that sprays many accounts stays counted.
        fail_key, lock_key = self._keys("account", account)
        await self._kv.delete(fail_key, lock_key)


class RequestLimiter:
    """At most ``limit`` events per key in a fixed window (e.g. reset mails per account)."""

    def __init__(self, kv: KeyValueStore, *, name: str, limit: int, window_seconds: float) -> None:
        self._kv = kv
        self._name = name
        self.limit = limit
        self.window_seconds = window_seconds

    async def allow(self, key: str) -> bool:
        count = await self._kv.incr(f"limit:{self._name}:{key}", ttl_seconds=self.window_seconds)
        return count <= self.limit
