"""The event bus on real Redis Streams and in memory: groups, at-least-once, idempotency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from subgraphs.common.events import (
    Event,
    EventBus,
    EventConsumer,
    IdempotencyStore,
    InMemoryEventBus,
    InMemoryIdempotencyStore,
    RedisEventBus,
    RedisIdempotencyStore,
    create_event_bus,
)


@dataclass
class Backend:
    bus: EventBus
    idempotency: IdempotencyStore


@pytest.fixture(params=["redis", "memory"])
async def backend(request: pytest.FixtureRequest, redis_url: str, redis_prefix: str) -> AsyncIterator[Backend]:
    if request.param == "redis":
        client = aioredis.from_url(redis_url)
        yield Backend(RedisEventBus(client, prefix=redis_prefix), RedisIdempotencyStore(client, prefix=redis_prefix))
        await client.aclose()
    else:
        yield Backend(InMemoryEventBus(), InMemoryIdempotencyStore())


class Recorder:
    def __init__(self, *, failures: int = 0) -> None:
        self.seen: list[str] = []
        self.failures = failures

    async def __call__(self, event: Event) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("handler crashed")
        self.seen.append(event.id)


def consumer(backend: Backend, handler: Recorder, *, group: str = "g", name: str = "c1", idle: int = 0) -> EventConsumer:
    return EventConsumer(
        backend.bus,
        stream="s",
        group=group,
        consumer=name,
        handler=handler,
        idempotency=backend.idempotency,
        min_idle_ms=idle,
    )


async def test_event_round_trips_through_encoding() -> None:
    event = Event(type="workout.created", subject="u1", data={"a": [1, 2], "b": None}, id="e1")
    assert Event.decode(event.encode()) == event


async def test_published_events_reach_the_group_once_and_are_acked(backend: Backend) -> None:
    handler = Recorder()
    member = consumer(backend, handler)
    await member.start()
    for index in range(3):
        await backend.bus.publish("s", Event(type="t", subject="u", data={"i": index}, id=f"e{index}"))
    assert await member.run_once() == 3
    assert handler.seen == ["e0", "e1", "e2"]
    assert await backend.bus.pending_count("s", "g") == 0
    assert await member.run_once() == 0
    assert handler.seen == ["e0", "e1", "e2"]


async def test_every_group_gets_every_event(backend: Backend) -> None:
    first, second = Recorder(), Recorder()
    analytics, social = consumer(backend, first, group="analytics"), consumer(backend, second, group="social")
    await analytics.start()
    await social.start()
    await backend.bus.publish("s", Event(type="t", subject="u", data={}, id="only"))
    await analytics.run_once()
    await social.run_once()
    assert first.seen == second.seen == ["only"]


async def test_failed_handler_is_retried_until_it_succeeds(backend: Backend) -> None:
    handler = Recorder(failures=1)
    member = consumer(backend, handler, idle=0)
    await member.start()
    await backend.bus.publish("s", Event(type="t", subject="u", data={}, id="retry-me"))
    assert await member.run_once() == 0
    assert await backend.bus.pending_count("s", "g") == 1
    # The pending entry is claimed again on the next round (at-least-once).
    assert await member.run_once() == 1
    assert handler.seen == ["retry-me"]
    assert await backend.bus.pending_count("s", "g") == 0


async def test_entry_of_a_crashed_consumer_is_claimed_by_another(backend: Backend) -> None:
    await backend.bus.ensure_group("s", "g")
    await backend.bus.publish("s", Event(type="t", subject="u", data={}, id="orphan"))
    # c1 reads and dies before acknowledging.
    read = await backend.bus.read("s", "g", "c1")
    assert [d.event.id for d in read] == ["orphan"]
    patient = Recorder()
    survivor = consumer(backend, patient, name="c2", idle=60_000)
    assert await survivor.run_once() == 0  # not idle long enough yet: c1 may still be working
    eager = Recorder()
    assert await consumer(backend, eager, name="c3", idle=0).run_once() == 1
    assert eager.seen == ["orphan"]


async def test_duplicate_deliveries_run_the_handler_once(backend: Backend) -> None:
    handler = Recorder()
    member = consumer(backend, handler)
    await member.start()
    # A producer retry publishes the same change twice.
    for _ in range(2):
        await backend.bus.publish("s", Event(type="t", subject="u", data={}, id="same-change"))
    assert await member.run_once() == 1
    assert handler.seen == ["same-change"]
    assert await backend.bus.pending_count("s", "g") == 0


async def test_ensure_group_is_idempotent(backend: Backend) -> None:
    await backend.bus.ensure_group("s", "g")
    await backend.bus.ensure_group("s", "g")
    assert await backend.bus.pending_count("s", "g") == 0


async def test_blocking_read_returns_empty_when_nothing_arrives(backend: Backend) -> None:
    await backend.bus.ensure_group("s", "g")
    assert await backend.bus.read("s", "g", "c1", block_ms=10) == []


async def test_factory_picks_backend(redis_url: str) -> None:
    assert isinstance(create_event_bus(None), InMemoryEventBus)
    bus = create_event_bus(redis_url, prefix="x:")
    assert isinstance(bus, RedisEventBus)
    assert bus.key("training") == "x:events:training"
    await bus.close()


async def test_run_forever_handles_events_until_stopped() -> None:
    bus = InMemoryEventBus()
    handler = Recorder()
    member = consumer(Backend(bus, InMemoryIdempotencyStore()), handler)
    stop = asyncio.Event()
    runner = asyncio.create_task(member.run_forever(stop, block_ms=20))
    await bus.publish("s", Event(type="t", subject="u", data={}, id="live"))
    for _ in range(200):
        if handler.seen:
            break
        await asyncio.sleep(0.005)
    stop.set()
    await asyncio.wait_for(runner, timeout=5)
    assert handler.seen == ["live"]
