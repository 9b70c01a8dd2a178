"""Events that could not be published right away, kept in MongoDB and relayed later.

The change itself is already stored when its event is published; if the bus is unreachable
at that moment the event goes to the ``event_outbox`` collection instead of being lost, and
`relay_outbox` publishes it once the bus is back (at-least-once: consumers deduplicate on
Event.id). Only a process crash between the write and this hand-off can still lose an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import structlog

from subgraphs.common.events import Event, EventBus
from subgraphs.training import store_outbox

__all__ = ["publish_or_keep", "relay_forever", "relay_outbox"]

_log = structlog.get_logger("fitgraph.training.outbox")


async def publish_or_keep(bus: EventBus, stream: str, event: Event) -> bool:
    """True when published now; False when kept in the outbox for the relay."""
    try:
        await bus.publish(stream, event)
        return True
    except Exception as error:  # any bus failure: keep the event rather than fail the write
        _log.warning("event_deferred", event_id=event.id, type=event.type, error=repr(error))
        await store_outbox.keep(stream=stream, event=dataclasses.asdict(event))
        return False


async def relay_outbox(bus: EventBus, *, batch: int = 500) -> int:
    """Publishes kept events oldest first; stops at the first failure. Returns how many went out."""
    sent = 0
    for row in await store_outbox.oldest(limit=batch):
        try:
            await bus.publish(row["stream"], Event(**row["event"]))
        except Exception as error:
            _log.warning("outbox_relay_failed", error=repr(error))
            break
        await store_outbox.forget(row_id=row["_id"])
        sent += 1
    return sent


async def relay_forever(bus: EventBus, stop: asyncio.Event, *, interval_s: float) -> None:
    while not stop.is_set():
        try:
            await relay_outbox(bus)
        except Exception as error:  # the relay must outlive a database hiccup
            _log.error("outbox_relay_error", error=repr(error))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
