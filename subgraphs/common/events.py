"""The event bus shared by the subgraphs: Redis Streams with consumer groups.

Delivery is at-least-once: a consumer acknowledges an entry only after its handler
succeeded, and entries left pending by a crashed consumer are claimed again after
`min_idle_ms` (XAUTOCLAIM). Consumers are made idempotent by `IdempotencyStore`, which
remembers the `Event.id` of every handled event per consumer group, so a redelivery is
acknowledged without running the handler twice. Producers give every change a
deterministic `Event.id` (for example "<workout id>:v<version>:workout.updated").

Without Redis (``make dev``), `InMemoryEventBus` offers the same semantics in-process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

__all__ = [
    "Delivery",
    "Event",
    "EventBus",
    "EventConsumer",
    "IdempotencyStore",
    "InMemoryEventBus",
    "InMemoryIdempotencyStore",
    "RedisEventBus",
    "RedisIdempotencyStore",
    "create_event_bus",
]

Handler = Callable[["Event"], Awaitable[None]]


@dataclass(frozen=True)
class Event:
    type: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def encode(self) -> dict[str, bytes]:
        return {
            "id": self.id.encode(),
            "type": self.type.encode(),
            "subject": self.subject.encode(),
            "occurred_at": self.occurred_at.encode(),
            "data": orjson.dumps(self.data),
        }

    @classmethod
    def decode(cls, fields: dict[bytes, bytes] | dict[str, bytes]) -> Event:
        raw = {(k.decode() if isinstance(k, bytes) else k): v for k, v in fields.items()}
        return cls(
            id=raw["id"].decode(),
            type=raw["type"].decode(),
            subject=raw["subject"].decode(),
            occurred_at=raw["occurred_at"].decode(),
            data=orjson.loads(raw["data"]),
        )


@dataclass(frozen=True)
class Delivery:
    message_id: str
    event: Event


class EventBus(Protocol):
    async def publish(self, stream: str, event: Event) -> str: ...

    async def ensure_group(self, stream: str, group: str) -> None: ...

    async def read(
        self, stream: str, group: str, consumer: str, *, count: int = 100, block_ms: int | None = None
    ) -> list[Delivery]: ...

    async def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int = 100
    ) -> list[Delivery]: ...

    async def ack(self, stream: str, group: str, message_ids: list[str]) -> None: ...

    async def pending_count(self, stream: str, group: str) -> int: ...

    async def close(self) -> None: ...


class RedisEventBus:
    """Redis Streams: XADD / XREADGROUP / XACK / XAUTOCLAIM under a key prefix."""

    def __init__(self, client: aioredis.Redis, *, prefix: str = "", maxlen: int = 1_000_000) -> None:
        self._client = client
        self._prefix = prefix
        self._maxlen = maxlen

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "") -> RedisEventBus:
        return cls(aioredis.from_url(url), prefix=prefix)

    def key(self, stream: str) -> str:
        return f"{self._prefix}events:{stream}"

    async def publish(self, stream: str, event: Event) -> str:
        message_id = await self._client.xadd(
            self.key(stream), event.encode(), maxlen=self._maxlen, approximate=True  # type: ignore[arg-type]
        )
        return message_id.decode() if isinstance(message_id, bytes) else str(message_id)

    async def ensure_group(self, stream: str, group: str) -> None:
        try:
            await self._client.xgroup_create(self.key(stream), group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read(
        self, stream: str, group: str, consumer: str, *, count: int = 100, block_ms: int | None = None
    ) -> list[Delivery]:
        reply: Any = await self._client.xreadgroup(group, consumer, {self.key(stream): ">"}, count=count, block=block_ms)
        deliveries: list[Delivery] = []
        for _key, entries in reply or []:
            deliveries.extend(_deliveries(entries))
        return deliveries

    async def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int = 100
    ) -> list[Delivery]:
        reply: Any = await self._client.xautoclaim(
            self.key(stream), group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
        )
        # Reply: [next start id, [[id, fields], ...], (Redis 7) deleted ids].
        return _deliveries(list(reply[1]))

    async def ack(self, stream: str, group: str, message_ids: list[str]) -> None:
        if message_ids:
            await self._client.xack(self.key(stream), group, *message_ids)

    async def pending_count(self, stream: str, group: str) -> int:
        info = await self._client.xpending(self.key(stream), group)
        return int(info["pending"])

    async def close(self) -> None:
        await self._client.aclose()


def _deliveries(entries: list[Any]) -> list[Delivery]:
    result: list[Delivery] = []
    for message_id, fields in entries:
        if not fields:  # trimmed away while pending
            continue
        mid = message_id.decode() if isinstance(message_id, bytes) else str(message_id)
        result.append(Delivery(mid, Event.decode(fields)))
    return result


@dataclass
class _MemoryGroup:
    next_index: int = 0
    # message id -> (consumer, delivered at monotonic seconds)
    pending: dict[str, tuple[str, float]] = field(default_factory=dict)


@dataclass
class _MemoryStream:
    entries: list[tuple[str, Event]] = field(default_factory=list)
    groups: dict[str, _MemoryGroup] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class InMemoryEventBus:
    """Same contract as RedisEventBus inside one process (dev mode and unit use)."""

    def __init__(self) -> None:
        self._streams: dict[str, _MemoryStream] = {}
        self._counter = 0

    def _stream(self, stream: str) -> _MemoryStream:
        return self._streams.setdefault(stream, _MemoryStream())

    async def publish(self, stream: str, event: Event) -> str:
        self._counter += 1
        message_id = f"{self._counter}-0"
        target = self._stream(stream)
        target.entries.append((message_id, event))
        target.changed.set()
        return message_id

    async def ensure_group(self, stream: str, group: str) -> None:
        self._stream(stream).groups.setdefault(group, _MemoryGroup())

    async def read(
        self, stream: str, group: str, consumer: str, *, count: int = 100, block_ms: int | None = None
    ) -> list[Delivery]:
        target = self._stream(stream)
        state = target.groups[group]
        if state.next_index >= len(target.entries) and block_ms:
            target.changed.clear()
            try:
                await asyncio.wait_for(target.changed.wait(), timeout=block_ms / 1000)
            except TimeoutError:
                return []
        batch = target.entries[state.next_index : state.next_index + count]
        state.next_index += len(batch)
        now = asyncio.get_running_loop().time()
        for message_id, _event in batch:
            state.pending[message_id] = (consumer, now)
        return [Delivery(mid, event) for mid, event in batch]

    async def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int = 100
    ) -> list[Delivery]:
        target = self._stream(stream)
        state = target.groups[group]
        now = asyncio.get_running_loop().time()
        by_id = dict(target.entries)
        claimed: list[Delivery] = []
        for message_id, (_owner, since) in list(state.pending.items()):
            if len(claimed) >= count:
                break
            if (now - since) * 1000 >= min_idle_ms:
                state.pending[message_id] = (consumer, now)
                claimed.append(Delivery(message_id, by_id[message_id]))
        return claimed

    async def ack(self, stream: str, group: str, message_ids: list[str]) -> None:
        state = self._stream(stream).groups[group]
        for message_id in message_ids:
            state.pending.pop(message_id, None)

    async def pending_count(self, stream: str, group: str) -> int:
        return len(self._stream(stream).groups[group].pending)

    def events(self, stream: str) -> list[Event]:
        return [event for _mid, event in self._stream(stream).entries]

    async def close(self) -> None:
        self._streams.clear()


class IdempotencyStore(Protocol):
    async def seen(self, group: str, event_id: str) -> bool: ...

    async def remember(self, group: str, event_id: str) -> None: ...


class RedisIdempotencyStore:
    def __init__(self, client: aioredis.Redis, *, prefix: str = "", ttl_s: int = 7 * 24 * 3600) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl_s = ttl_s

    def _key(self, group: str, event_id: str) -> str:
        return f"{self._prefix}events:done:{group}:{event_id}"

    async def seen(self, group: str, event_id: str) -> bool:
        return bool(await self._client.exists(self._key(group, event_id)))

    async def remember(self, group: str, event_id: str) -> None:
        await self._client.set(self._key(group, event_id), b"1", ex=self._ttl_s)


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self._done: set[tuple[str, str]] = set()

    async def seen(self, group: str, event_id: str) -> bool:
        return (group, event_id) in self._done

    async def remember(self, group: str, event_id: str) -> None:
        self._done.add((group, event_id))


class EventConsumer:
    """One member of a consumer group; runs `handler` at most once per Event.id per group."""

    def __init__(
        self,
        bus: EventBus,
        *,
        stream: str,
        group: str,
        consumer: str,
        handler: Handler,
        idempotency: IdempotencyStore,
        min_idle_ms: int = 60_000,
    ) -> None:
        self._bus = bus
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self._handler = handler
        self._idempotency = idempotency
        self._min_idle_ms = min_idle_ms

    async def start(self) -> None:
        await self._bus.ensure_group(self.stream, self.group)

    async def run_once(self, *, count: int = 100, block_ms: int | None = None) -> int:
        """Handle stale pending entries, then new ones; returns how many handlers ran."""
        stale = await self._bus.claim_stale(
            self.stream, self.group, self.consumer, min_idle_ms=self._min_idle_ms, count=count
        )
        fresh = await self._bus.read(self.stream, self.group, self.consumer, count=count, block_ms=block_ms)
        handled = 0
        for delivery in [*stale, *fresh]:
            if await self._idempotency.seen(self.group, delivery.event.id):
                await self._bus.ack(self.stream, self.group, [delivery.message_id])
                continue
            try:
                await self._handler(delivery.event)
            except Exception:
                # Left pending on purpose: claim_stale redelivers it (at-least-once).
                continue
            await self._idempotency.remember(self.group, delivery.event.id)
            await self._bus.ack(self.stream, self.group, [delivery.message_id])
            handled += 1
        return handled

    async def run_forever(self, stop: asyncio.Event, *, block_ms: int = 1000) -> None:
        await self.start()
        while not stop.is_set():
            await self.run_once(block_ms=block_ms)


def create_event_bus(redis_url: str | None, *, prefix: str = "") -> EventBus:
    """Redis Streams when a URL is configured, otherwise the in-process bus."""
    if redis_url:
        return RedisEventBus.from_url(redis_url, prefix=prefix)
    return InMemoryEventBus()
