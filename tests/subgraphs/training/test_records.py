"""Samples in chunks and personal records recomputed on every change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import AsyncMongoClient

from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import DELETE, create

RECORDS = """
query($id: ID!) {
  _entities(representations: [{__typename: "User", id: $id}]) {
    ... on User { personalRecords { kind exercise value workoutId } }
  }
}
"""
ADD = """
mutation($id: ID!, $samples: [SampleInput!]!) {
  addSamples(workoutId: $id, samples: $samples) { id version sampleCount }
}
"""
SAMPLES = "query($id: ID!) { workout(id: $id) { samples(first: 5000) { time heartRate distanceM } } }"

START = dt.datetime(2024, 6, 3, 6, 0, tzinfo=dt.UTC)


async def records(training: Harness, user: str, viewer: str | None = None) -> dict[str, dict[str, Any]]:
    data = await training.ok(RECORDS, {"id": user}, user=viewer or user)
    rows = data["_entities"][0]["personalRecords"]
    return {f"{row['kind']}:{row['exercise'] or ''}": row for row in rows}


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


async def test_run_records_are_set_improved_and_handed_back_on_delete(training: Harness) -> None:
    user = new_user()
    steady = await create(
        training, user, startTime=iso(START), endTime=iso(START + dt.timedelta(minutes=50)), distanceM=10_000.0
    )
    found = await records(training, user)
    assert found["FASTEST_1K:"]["value"] == 300.0
    assert found["FASTEST_5K:"]["value"] == 1500.0
    assert found["FASTEST_10K:"]["value"] == 3000.0
    assert "FASTEST_HALF_MARATHON:" not in found
    fast_start = START + dt.timedelta(days=1)
    fast = await create(
        training, user, startTime=iso(fast_start), endTime=iso(fast_start + dt.timedelta(minutes=20)), distanceM=5_000.0
    )
    found = await records(training, user)
    assert (found["FASTEST_5K:"]["value"], found["FASTEST_5K:"]["workoutId"]) == (1200.0, fast["id"])
    assert found["FASTEST_10K:"]["workoutId"] == steady["id"]
    events = await training.events(user, kinds=("record.achieved",))
    assert sorted((e.data["kind"], e.data["value"]) for e in events) == [
        ("FASTEST_10K", 3000.0),
        ("FASTEST_1K", 240.0),
        ("FASTEST_1K", 300.0),
        ("FASTEST_5K", 1200.0),
        ("FASTEST_5K", 1500.0),
    ]
    await training.ok(DELETE, {"id": fast["id"]}, user=user)
    found = await records(training, user)
    assert (found["FASTEST_5K:"]["value"], found["FASTEST_5K:"]["workoutId"]) == (1500.0, steady["id"])
    # Falling back to an older record is not an achievement.
    assert len(await training.events(user, kinds=("record.achieved",))) == 5


async def test_ride_and_lift_records(training: Harness) -> None:
    user = new_user()
    await create(training, user, sport="RIDE", distanceM=80_000.0)
    await create(
        training,
        user,
        sport="STRENGTH",
        distanceM=None,
        sets=[
            {"exercise": "Squat", "reps": 5, "weightKg": 100.0},
            {"exercise": "squat ", "reps": 1, "weightKg": 130.0},
            {"exercise": "Bench", "reps": 5, "weightKg": 80.0},
        ],
    )
    found = await records(training, user)
    assert found["LONGEST_RIDE:"]["value"] == 80_000.0
    assert found["HEAVIEST_LIFT:squat"]["value"] == 130.0
    assert found["HEAVIEST_LIFT:bench"]["value"] == 80.0


async def test_records_are_private_to_the_owner(training: Harness) -> None:
    user = new_user()
    await create(training, user, sport="RIDE", distanceM=50_000.0, visibility="PUBLIC")
    assert await records(training, user, viewer=new_user()) == {}
    assert "LONGEST_RIDE:" in await records(training, user)


def run_samples(count: int, *, step_s: int = 1, metres_per_step: float = 3.0) -> list[dict[str, Any]]:
    return [
        {
            "time": iso(START + dt.timedelta(seconds=i * step_s)),
            "heartRate": 120 + i % 50,
            "distanceM": i * metres_per_step,
        }
        for i in range(count)
    ]


async def test_samples_are_chunked_deduplicated_and_give_best_efforts(training: Harness, mongodb_url: str) -> None:
    user = new_user()
    workout = await create(
        training, user, startTime=iso(START), endTime=iso(START + dt.timedelta(hours=1)), distanceM=3_600.0
    )
    samples = run_samples(1200)  # 3 m/s except the fast section below
    for i in range(600, 1200):
        samples[i]["distanceM"] = 1800.0 + (i - 600) * 5.0  # 5 m/s: 1 km in 200 s
    result = await training.ok(ADD, {"id": workout["id"], "samples": samples}, user=user)
    assert result["addSamples"]["sampleCount"] == 1200
    assert result["addSamples"]["version"] == 2
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        chunks = await client[training.settings.mongodb_database]["workout_samples"].count_documents(
            {"workout_id": workout["id"]}
        )
    finally:
        await client.close()
    assert chunks == 3
    found = await records(training, user)
    assert found["FASTEST_1K:"]["value"] == 200.0
    # Retrying the same call adds nothing and changes nothing.
    again = await training.ok(ADD, {"id": workout["id"], "samples": samples[:10]}, user=user)
    assert again["addSamples"] == result["addSamples"]
    read = await training.ok(SAMPLES, {"id": workout["id"]}, user=user)
    times = [s["time"] for s in read["workout"]["samples"]]
    assert len(times) == 1200
    assert times == sorted(times)
    # `since` without a zone is taken as UTC.
    later = await training.ok(
        "query($id: ID!, $since: DateTime) { workout(id: $id) { samples(since: $since, first: 5) { time } } }",
        {"id": workout["id"], "since": "2024-06-03T06:15:00"},
        user=user,
    )
    assert [s["time"][:19] for s in later["workout"]["samples"]][:2] == ["2024-06-03T06:15:00", "2024-06-03T06:15:01"]


async def test_bad_samples_write_nothing(training: Harness) -> None:
    user = new_user()
    workout = await create(
        training, user, startTime=iso(START), endTime=iso(START + dt.timedelta(minutes=10)), distanceM=2_000.0
    )
    late = run_samples(3)
    late[2]["time"] = iso(START + dt.timedelta(hours=2))
    error = await training.error(ADD, {"id": workout["id"], "samples": late}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "samples[2].time"}
    wild = run_samples(3)
    wild[1]["heartRate"] = 260
    error = await training.error(ADD, {"id": workout["id"], "samples": wild}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "samples[1].heartRate"}
    training.settings.max_samples_per_call = 5
    try:
        error = await training.error(ADD, {"id": workout["id"], "samples": run_samples(6)}, user=user)
    finally:
        training.settings.max_samples_per_call = 10_000
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "samples"}
    read = await training.ok(SAMPLES, {"id": workout["id"]}, user=user)
    assert read["workout"]["samples"] == []
    error = await training.error(ADD, {"id": workout["id"], "samples": run_samples(2)}, user=new_user())
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_records_of_many_users_load_in_one_store_query(training: Harness) -> None:
    users = [new_user() for _ in range(3)]
    for index, user in enumerate(users):
        await create(training, user, sport="RIDE", distanceM=10_000.0 * (index + 1))
    query = (
        "query($reps: [_Any!]!) { _entities(representations: $reps) "
        "{ ... on User { id personalRecords { kind value } } } }"
    )
    training.counter.reset()
    data = await training.ok(
        query, {"reps": [{"__typename": "User", "id": user} for user in users]}, user=new_user(), roles=("admin",)
    )
    assert training.counter.reads("personal_records") == 1
    assert [entity["personalRecords"] for entity in data["_entities"]] == [
        [{"kind": "LONGEST_RIDE", "value": 10_000.0 * (index + 1)}] for index in range(3)
    ]
