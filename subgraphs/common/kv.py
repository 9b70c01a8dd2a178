"""A tiny key-value/counter store: Redis in production, process memory in `make dev`.

Just enough for login throttling and token revocation: string values with an optional TTL,
atomic counters whose TTL is set when they are created, deletes and remaining-TTL reads.
"""

from __future__ import annotations

import math
import time
from typing import Protocol, runtime_checkable

import redis.asyncio as aioredis

__all__ = ["KeyValueStore", "MemoryKeyValueStore", "RedisKeyValueStore", "create_kv"]


@runtime_checkable
class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def get_many(self, *keys: str) -> list[str | None]:
        """Values of ``keys`` in order (one round trip on Redis)."""
        ...

    async def set(self, key: str, value: str, *, ttl_seconds: float | None = None) -> None: ...

    async def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        """Increment and return; a counter created by this call expires after ``ttl_seconds``."""
        ...

    async def ttl(self, key: str) -> float | None:
        """Remaining seconds; None when the key is missing or never expires."""
        ...

    async def delete(self, *keys: str) -> None: ...

    async def close(self) -> None: ...


class MemoryKeyValueStore:
    """In-process store for single-process development; expiry is checked lazily on read."""

    def __init__(self, *, prefix: str = "") -> None:
        self._prefix = prefix
        self._values: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> tuple[str, float | None] | None:
        entry = self._values.get(self._prefix + key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= time.monotonic():
            del self._values[self._prefix + key]
            return None
        return entry

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def get_many(self, *keys: str) -> list[str | None]:
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: str, *, ttl_seconds: float | None = None) -> None:
        expires = None if ttl_seconds is None else time.monotonic() + ttl_seconds
        self._values[self._prefix + key] = (value, expires)

    async def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        entry = self._live(key)
        if entry is None:
            expires = None if ttl_seconds is None else time.monotonic() + ttl_seconds
            self._values[self._prefix + key] = ("1", expires)
            return 1
        value = int(entry[0]) + 1
        self._values[self._prefix + key] = (str(value), entry[1])
        return value

    async def ttl(self, key: str) -> float | None:
        entry = self._live(key)
        if entry is None or entry[1] is None:
            return None
        return max(0.0, entry[1] - time.monotonic())

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(self._prefix + key, None)

    async def close(self) -> None:
        self._values.clear()


# INCR then PEXPIRE only when the key is new, atomically (so a crash between the two never
# leaves an immortal counter and later increments never extend the window).
_INCR_WITH_TTL = """
local value = redis.call('INCR', KEYS[1])
if value == 1 and tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return value
"""


class RedisKeyValueStore:
    def __init__(self, client: aioredis.Redis, *, prefix: str = "") -> None:
        self._client = client
        self._prefix = prefix
        self._incr = client.register_script(_INCR_WITH_TTL)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "") -> RedisKeyValueStore:
        return cls(aioredis.from_url(url, decode_responses=True), prefix=prefix)

    async def get(self, key: str) -> str | None:
        value = await self._client.get(self._prefix + key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def get_many(self, *keys: str) -> list[str | None]:
        if not keys:
            return []
        values = await self._client.mget([self._prefix + key for key in keys])
        return [None if v is None else (v.decode() if isinstance(v, bytes) else str(v)) for v in values]

    async def set(self, key: str, value: str, *, ttl_seconds: float | None = None) -> None:
        px = None if ttl_seconds is None else max(1, math.ceil(ttl_seconds * 1000))
        await self._client.set(self._prefix + key, value, px=px)

    async def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        px = 0 if ttl_seconds is None else max(1, math.ceil(ttl_seconds * 1000))
        return int(await self._incr(keys=[self._prefix + key], args=[px]))

    async def ttl(self, key: str) -> float | None:
        remaining = int(await self._client.pttl(self._prefix + key))
        # -2: missing, -1: no expiry (Redis PTTL semantics).
        return None if remaining < 0 else remaining / 1000

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._client.delete(*(self._prefix + key for key in keys))

    async def close(self) -> None:
        await self._client.aclose()


def create_kv(redis_url: str | None, *, prefix: str = "") -> KeyValueStore:
    """Redis when a URL is configured, otherwise the in-memory backend."""
    if redis_url:
        return RedisKeyValueStore.from_url(redis_url, prefix=prefix)
    return MemoryKeyValueStore(prefix=prefix)
