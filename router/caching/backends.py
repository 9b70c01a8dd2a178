"""Response cache storage: entries with a TTL, tagged by type for purging.

`MemoryBackend` serves one router process (LRU bounded); `RedisBackend` is shared by every
replica: `<prefix>e:<key>` holds an entry (SET … EX ttl), `<prefix>t:<Type>` the set of
entry keys tagged with a type (it lives as long as its longest entry). Redis failures never
fail a request: a read error is a miss, a write or purge error is logged.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

import structlog

__all__ = ["CacheBackend", "MemoryBackend", "RedisBackend"]

_log = structlog.get_logger("router.response_cache")


class CacheBackend(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, *, ttl: int, tags: Iterable[str]) -> None: ...
    async def purge(self, tags: Iterable[str]) -> int: ...
    async def aclose(self) -> None: ...


class MemoryBackend:
    def __init__(self, *, max_entries: int = 10_000, clock: Any = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes, frozenset[str]]] = OrderedDict()
        self._tags: dict[str, set[str]] = {}
        self._max = max_entries
        self._clock = clock

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in entry[2]:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def set(self, key: str, value: bytes, *, ttl: int, tags: Iterable[str]) -> None:
        self._drop(key)
        tag_set = frozenset(tags)
        self._entries[key] = (self._clock() + ttl, value, tag_set)
        for tag in tag_set:
            self._tags.setdefault(tag, set()).add(key)
        while len(self._entries) > self._max:
            self._drop(next(iter(self._entries)))

    async def purge(self, tags: Iterable[str]) -> int:
        keys = {key for tag in tags for key in self._tags.get(tag, ())}
        for key in keys:
            self._drop(key)
        return len(keys)

    async def aclose(self) -> None:
        self._entries.clear()
        self._tags.clear()


class RedisBackend:
    def __init__(self, redis: Any, *, prefix: str = "fitgraph:response-cache:") -> None:
        self._redis = redis
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "fitgraph:response-cache:") -> RedisBackend:
        import redis.asyncio as aioredis

        # Short timeouts: a sick Redis costs a miss, not a hung request.
        return cls(aioredis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), prefix=prefix)

    def _entry(self, key: str) -> str:
        return f"{self._prefix}e:{key}"

    def _tag(self, tag: str) -> str:
        return f"{self._prefix}t:{tag}"

    async def get(self, key: str) -> bytes | None:
        try:
            raw = await self._redis.get(self._entry(key))
        except Exception as error:
            _log.warning("response_cache_read_failed", error=type(error).__name__)
            return None
        return bytes(raw) if raw is not None else None

    async def set(self, key: str, value: bytes, *, ttl: int, tags: Iterable[str]) -> None:
        entry = self._entry(key)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.set(entry, value, ex=ttl)
                for tag in tags:
                    tag_key = self._tag(tag)
                    pipe.sadd(tag_key, entry)
                    # NX sets a TTL on a new set, GT extends it: a tag outlives its entries.
                    pipe.expire(tag_key, ttl, nx=True)
                    pipe.expire(tag_key, ttl, gt=True)
                await pipe.execute()
        except Exception as error:
            _log.warning("response_cache_write_failed", error=type(error).__name__)

    async def purge(self, tags: Iterable[str]) -> int:
        purged = 0
        try:
            for tag in tags:
                tag_key = self._tag(tag)
                entries = await self._redis.smembers(tag_key)
                if entries:
                    purged += int(await self._redis.delete(*entries))
                    # SREM, not DEL: an entry tagged meanwhile keeps its tag.
                    await self._redis.srem(tag_key, *entries)
        except Exception as error:
            _log.error("response_cache_purge_failed", error=type(error).__name__)
        return purged

    async def aclose(self) -> None:
        await self._redis.aclose()
