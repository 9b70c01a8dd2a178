"""Device ingestion: scope-protected upsert by (source, externalId); duplicates create nothing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import run

INGEST = """
mutation($input: IngestWorkoutInput!) {
  ingestWorkout(input: $input) {
    created changed
    workout { id version source externalId recordingMethod distanceM owner { id } }
  }
}
"""
SERVICE = "devices-service"
SCOPES = ("training:ingest",)


def delivery(owner: str, external_id: str, **overrides: Any) -> dict[str, Any]:
    return {"input": {"ownerId": owner, "source": "GARMIN", "externalId": external_id, "workout": run(**overrides)}}


async def ingest(training: Harness, variables: dict[str, Any]) -> dict[str, Any]:
    data = await training.ok(INGEST, variables, user=SERVICE, roles=(), scopes=SCOPES)
    result: dict[str, Any] = data["ingestWorkout"]
    return result


async def test_ingestion_requires_the_ingest_scope(training: Harness) -> None:
    variables = delivery(new_user(), "act-1")
    for roles in (("user",), ("admin",)):
        error = await training.error(INGEST, variables, user=new_user(), roles=roles)
        assert error["extensions"]["code"] == "FORBIDDEN"
    error = await training.error(INGEST, variables)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_webhook_delivered_twice_creates_one_workout(training: Harness) -> None:
    owner, external = new_user(), uuid.uuid4().hex
    first = await ingest(training, delivery(owner, external))
    assert first["created"] is True
    assert first["workout"]["source"] == "GARMIN"
    assert first["workout"]["recordingMethod"] == "AUTOMATIC"
    assert first["workout"]["owner"] == {"id": owner}
    second = await ingest(training, delivery(owner, external))
    assert second == {**first, "created": False, "changed": False}
    events = await training.events(owner, kinds=("workout.created", "workout.updated"))
    assert [e.type for e in events] == ["workout.created"]


async def test_redelivery_with_new_values_updates_in_place(training: Harness) -> None:
    owner, external = new_user(), uuid.uuid4().hex
    first = await ingest(training, delivery(owner, external))
    second = await ingest(training, delivery(owner, external, distanceM=10200.0))
    assert second["workout"]["id"] == first["workout"]["id"]
    assert second["workout"]["version"] == 2
    assert second["workout"]["distanceM"] == 10200.0
    assert (second["created"], second["changed"]) == (False, True)
    events = await training.events(owner, kinds=("workout.created", "workout.updated"))
    assert [e.type for e in events] == ["workout.created", "workout.updated"]


async def test_concurrent_deliveries_create_one_workout(training: Harness) -> None:
    owner, external = new_user(), uuid.uuid4().hex
    results = await asyncio.gather(*(ingest(training, delivery(owner, external)) for _ in range(6)))
    assert len({result["workout"]["id"] for result in results}) == 1
    assert sum(result["created"] for result in results) == 1
    events = await training.events(owner, kinds=("workout.created",))
    assert len(events) == 1


async def test_same_external_id_from_another_vendor_is_another_workout(training: Harness) -> None:
    owner, external = new_user(), uuid.uuid4().hex
    garmin = await ingest(training, delivery(owner, external))
    variables = delivery(owner, external)
    variables["input"]["source"] = "POLAR"
    polar = await ingest(training, variables)
    assert polar["created"] is True
    assert polar["workout"]["id"] != garmin["workout"]["id"]


async def test_bad_ingestion_input(training: Harness) -> None:
    owner = new_user()
    variables = delivery(owner, "x")
    variables["input"]["source"] = "MANUAL"
    error = await training.error(INGEST, variables, user=SERVICE, roles=(), scopes=SCOPES)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.source"}
    error = await training.error(INGEST, delivery(owner, "  "), user=SERVICE, roles=(), scopes=SCOPES)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.externalId"}
    error = await training.error(
        INGEST, delivery(owner, "y", avgHeartRate=400), user=SERVICE, roles=(), scopes=SCOPES
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.workout.avgHeartRate"}


async def test_external_id_of_another_user_is_a_conflict(training: Harness) -> None:
    external = uuid.uuid4().hex
    await ingest(training, delivery(new_user(), external))
    error = await training.error(
        INGEST, delivery(new_user(), external), user=SERVICE, roles=(), scopes=SCOPES
    )
    assert error["extensions"]["code"] == "CONFLICT"


async def test_redelivery_with_sub_millisecond_times_is_unchanged(training: Harness) -> None:
    owner, external = new_user(), uuid.uuid4().hex
    times = {"startTime": "2024-05-01T07:00:00.123456+00:00", "endTime": "2024-05-01T07:50:00.654321+00:00"}
    first = await ingest(training, delivery(owner, external, **times))
    again = await ingest(training, delivery(owner, external, **times))
    assert (again["created"], again["changed"]) == (False, False)
    assert again["workout"]["version"] == first["workout"]["version"] == 1
