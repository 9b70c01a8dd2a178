"""The APQ store: local LRU in front of real Redis, and what happens when Redis is away."""

from __future__ import annotations

import redis.asyncio as aioredis

from router.stages.persisted import ApqStore


async def test_local_lru_evicts_least_recently_used() -> None:
    store = ApqStore(local_size=2)
    await store.put("a", "{ a }")
    await store.put("b", "{ b }")
    assert await store.get("a") == "{ a }"  # a is now the most recent
    await store.put("c", "{ c }")
    assert await store.get("b") is None
    assert await store.get("a") == "{ a }"
    assert await store.get("c") == "{ c }"


async def test_redis_backs_the_local_cache(redis_url: str, redis_prefix: str) -> None:
    writer = ApqStore(local_size=1, redis=aioredis.from_url(redis_url), prefix=redis_prefix, ttl=30)
    reader = ApqStore(local_size=1, redis=aioredis.from_url(redis_url), prefix=redis_prefix, ttl=30)
    try:
        await writer.put("h1", "{ one }")
        await writer.put("h2", "{ two }")  # evicts h1 locally; Redis still has it
        assert writer.get_local("h1") is None
        assert await writer.get("h1") == "{ one }"
        assert writer.get_local("h1") == "{ one }"
        assert await reader.get("h2") == "{ two }"
        assert await reader.get("unknown") is None
    finally:
        await writer.aclose()
        await reader.aclose()


async def test_unreachable_redis_degrades_to_local_only() -> None:
    redis = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1.0)
    store = ApqStore(local_size=8, redis=redis, prefix="x:")
    try:
        await store.put("h", "{ h }")  # the write fails quietly
        assert await store.get("h") == "{ h }"
        assert await store.get("other") is None  # the read fails quietly: a miss
    finally:
        await store.aclose()
