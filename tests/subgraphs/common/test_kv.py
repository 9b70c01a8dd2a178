"""The key-value store contract, on real Redis and in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from subgraphs.common.kv import KeyValueStore, MemoryKeyValueStore, RedisKeyValueStore, create_kv


@pytest.fixture(params=["redis", "memory"])
async def kv(request: pytest.FixtureRequest, redis_url: str, redis_prefix: str) -> AsyncIterator[KeyValueStore]:
    store = create_kv(redis_url if request.param == "redis" else None, prefix=redis_prefix)
    expected = RedisKeyValueStore if request.param == "redis" else MemoryKeyValueStore
    assert isinstance(store, expected)
    try:
        yield store
    finally:
        await store.close()


async def test_set_get_delete(kv: KeyValueStore) -> None:
    assert await kv.get("a") is None
    await kv.set("a", "1")
    await kv.set("b", "2", ttl_seconds=600)
    assert (await kv.get("a"), await kv.get("b")) == ("1", "2")
    assert await kv.ttl("a") is None  # no expiry
    remaining = await kv.ttl("b")
    assert remaining is not None and 500 < remaining <= 600
    await kv.delete("a", "b", "never-set")
    assert (await kv.get("a"), await kv.get("b")) == (None, None)
    assert await kv.ttl("b") is None


async def test_incr_sets_the_ttl_only_when_creating(kv: KeyValueStore) -> None:
    assert await kv.incr("n", ttl_seconds=600) == 1
    assert await kv.incr("n", ttl_seconds=5000) == 2
    remaining = await kv.ttl("n")
    assert remaining is not None and remaining <= 600
    assert await kv.incr("forever") == 1
    assert await kv.ttl("forever") is None


async def test_expired_values_disappear(kv: KeyValueStore) -> None:
    await kv.set("gone", "x", ttl_seconds=0.001)
    await kv.set("kept", "y", ttl_seconds=600)
    # Poll until the 1 ms lifetime has passed (bounded; normally one or two rounds).
    for _ in range(500):
        if await kv.get("gone") is None:
            break
        await asyncio.sleep(0.002)
    assert await kv.get("gone") is None
    assert await kv.get("kept") == "y"


async def test_prefix_isolates_stores(redis_url: str, redis_prefix: str) -> None:
    first = create_kv(redis_url, prefix=redis_prefix + "one:")
    second = create_kv(redis_url, prefix=redis_prefix + "two:")
    try:
        await first.set("k", "1")
        assert await second.get("k") is None
        assert await first.get("k") == "1"
    finally:
        await first.close()
        await second.close()


async def test_get_many_keeps_order_and_gaps(kv: KeyValueStore) -> None:
    await kv.set("x", "1")
    await kv.set("z", "3")
    assert await kv.get_many("z", "y", "x") == ["3", None, "1"]
    assert await kv.get_many() == []
