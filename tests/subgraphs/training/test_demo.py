"""Demo data: deterministic, idempotent, and served like any other data."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from subgraphs.training.demo import demo_owner_ids, demo_workout_id, load_demo_into
from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_connection import PAGE, reps

RECORDS = """
query($id: ID!) { _entities(representations: [{__typename: "User", id: $id}]) { ... on User { personalRecords { kind } } } }
"""


async def counts(training: Harness, mongodb_url: str, owners: list[str]) -> tuple[int, int]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        database = client[training.settings.mongodb_database]
        workouts = await database["workouts"].count_documents({"owner_id": {"$in": owners}})
        chunks = await database["workout_samples"].count_documents({"owner_id": {"$in": owners}})
    finally:
        await client.close()
    return workouts, chunks


async def test_demo_data_is_idempotent_and_queryable(training: Harness, mongodb_url: str) -> None:
    owners = [new_user(), new_user()]
    assert await load_demo_into(owners, workouts_per_user=4) == 8
    first = await counts(training, mongodb_url, owners)
    assert first == (8, 8)
    await load_demo_into(owners, workouts_per_user=4)
    assert await counts(training, mongodb_url, owners) == first
    data = await training.ok(PAGE, {"reps": reps(owners[0]), "first": 20}, user=owners[0])
    edges = data["_entities"][0]["workouts"]["edges"]
    assert {edge["node"]["id"] for edge in edges} == {demo_workout_id(owners[0], i) for i in range(4)}
    sample = await training.ok(
        "query($id: ID!) { workout(id: $id) { sampleCount samples(first: 3) { heartRate } } }",
        {"id": demo_workout_id(owners[0], 0)},
        user=owners[0],
    )
    assert sample["workout"]["sampleCount"] > 10
    assert len(sample["workout"]["samples"]) == 3
    # The first owner is among every third (goal) and every fifth (plan) demo user.
    extras = await training.ok(
        'query($id: ID!) { _entities(representations: [{__typename: "User", id: $id}]) '
        "{ ... on User { goals { kind } activePlan { name progress { totalSessions } } } } }",
        {"id": owners[0]},
        user=owners[0],
    )
    user = extras["_entities"][0]
    assert user["goals"] == [{"kind": "WEEKLY_DISTANCE"}]
    assert user["activePlan"] == {"name": "Half marathon in 8 weeks", "progress": {"totalSessions": 24}}


def test_demo_owners_are_the_users_demo_accounts() -> None:
    owners = demo_owner_ids()
    assert len(owners) == 300
    assert len(set(owners)) == 300
    assert demo_owner_ids() == owners
