"""Events survive an unreachable bus: kept in the outbox, relayed once the bus is back."""

from __future__ import annotations

import datetime as dt

import redis.asyncio as aioredis

from auth.claims import Claims
from auth.roles import scopes_for
from subgraphs.common.events import RedisEventBus
from subgraphs.training import store_outbox
from subgraphs.training.models import Sport
from subgraphs.training.outbox import relay_outbox
from subgraphs.training.service import TrainingService
from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import run
from tests.support.servers import free_port


def claims_for(user: str) -> Claims:
    return Claims(
        subject=user,
        roles=frozenset({"user"}),
        scopes=scopes_for(["user"]),
        issued_at=0,
        expires_at=0,
        token_id="test",
    )


async def test_events_are_kept_while_the_bus_is_down_and_relayed_later(training: Harness) -> None:
    user = new_user()
    # A real Redis client pointed at a port nobody listens on: every publish fails.
    dead = RedisEventBus(aioredis.from_url(f"redis://127.0.0.1:{free_port()}/0"), prefix="unused:")
    service = TrainingService(bus=dead, settings=training.settings)
    start = dt.datetime.fromisoformat(run()["startTime"])
    values = {"sport": Sport.RIDE, "start_time": start, "end_time": start + dt.timedelta(hours=2), "distance_m": 42_000.0}
    workout = await service.create(claims_for(user), values)
    assert workout.version == 1
    assert await training.events(user) == []
    assert await store_outbox.pending_count() == 2  # workout.created + record.achieved
    assert await relay_outbox(training.bus) == 2
    events = await training.events(user)
    assert [e.type for e in events] == ["workout.created", "record.achieved"]
    assert events[0].data["workoutId"] == workout.id
    assert await store_outbox.pending_count() == 0
    # Relaying again publishes nothing twice.
    assert await relay_outbox(training.bus) == 0
    await dead.close()
