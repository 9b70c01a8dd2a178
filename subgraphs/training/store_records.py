"""Data functions for personal records, goals, plans and privacy zones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.errors import BulkWriteError

from subgraphs.training.models import (
    Goal,
    PersonalRecord,
    PrivacyZone,
    TrainingPlan,
    UserPrivacy,
    Workout,
    utcnow,
)

__all__ = [
    "active_plans",
    "goals_by_owner_ids",
    "privacy_zones_by_owner_ids",
    "record_inputs",
    "records_by_owner_ids",
    "replace_goals",
    "save_privacy_zones",
    "start_plan",
    "stop_plan",
    "write_records",
]

_RECORD_FIELDS = {"_id": 1, "sport": 1, "distance_m": 1, "duration_s": 1, "best_efforts": 1, "sets": 1, "start_time": 1}


async def record_inputs(*, owner_id: str) -> list[dict[str, Any]]:
    """The few fields record computation needs, for every live workout of the owner."""
    cursor = Workout.get_pymongo_collection().find({"owner_id": owner_id, "deleted": False}, _RECORD_FIELDS)
    return [doc async for doc in cursor]


async def records_by_owner_ids(*, owner_ids: Sequence[str]) -> list[PersonalRecord]:
    cursor = (
        PersonalRecord.get_pymongo_collection()
        .find({"owner_id": {"$in": list(owner_ids)}})
        .sort([("kind", ASCENDING), ("exercise", ASCENDING)])
    )
    return [PersonalRecord.model_validate(doc) async for doc in cursor]


async def write_records(
    *, owner_id: str, upserts: Sequence[PersonalRecord], removed: Sequence[tuple[str, str]]
) -> None:
    collection = PersonalRecord.get_pymongo_collection()
    operations: list[Any] = []
    for record in upserts:
        key = {"owner_id": owner_id, "kind": record.kind.value, "exercise": record.exercise}
        body = record.model_dump(exclude={"id", "revision_id"})
        operations.append(UpdateOne(key, {"$set": body}, upsert=True))
    if operations:
        try:
            await collection.bulk_write(operations, ordered=False)
        except BulkWriteError as error:
            # Two recomputations raced to create the same record: the loser's upsert hit the
            # unique index. Running the (idempotent) operations again updates instead.
            if any(item.get("code") != 11000 for item in error.details.get("writeErrors", [])):
                raise
            await collection.bulk_write(operations, ordered=False)
    for kind, exercise in removed:
        await collection.delete_one({"owner_id": owner_id, "kind": kind, "exercise": exercise})


async def goals_by_owner_ids(*, owner_ids: Sequence[str]) -> list[Goal]:
    cursor = Goal.get_pymongo_collection().find({"owner_id": {"$in": list(owner_ids)}}).sort([("kind", ASCENDING)])
    return [Goal.model_validate(doc) async for doc in cursor]


async def replace_goals(*, owner_id: str, goals: Sequence[Goal]) -> list[Goal]:
    collection = Goal.get_pymongo_collection()
    await collection.delete_many({"owner_id": owner_id})
    if goals:
        await collection.insert_many([goal.model_dump(by_alias=True, exclude={"revision_id"}) for goal in goals])
    return list(goals)


async def active_plans(*, owner_ids: Sequence[str]) -> list[TrainingPlan]:
    cursor = TrainingPlan.get_pymongo_collection().find({"owner_id": {"$in": list(owner_ids)}, "active": True})
    return [TrainingPlan.model_validate(doc) async for doc in cursor]


async def stop_plan(*, owner_id: str) -> int:
    result = await TrainingPlan.get_pymongo_collection().update_many(
        {"owner_id": owner_id, "active": True}, {"$set": {"active": False, "stopped_at": utcnow()}}
    )
    return int(result.modified_count)


async def start_plan(*, plan: TrainingPlan) -> TrainingPlan:
    """Stops the owner's active plan (one active plan per user), then saves the new one."""
    await stop_plan(owner_id=plan.owner_id)
    body = plan.model_dump(by_alias=True, exclude={"revision_id"})
    # BSON has no date type: plans start at midnight UTC of start_date.
    body["start_date"] = plan.start_date.isoformat()
    await TrainingPlan.get_pymongo_collection().insert_one(body)
    return plan


async def privacy_zones_by_owner_ids(*, owner_ids: Sequence[str]) -> list[UserPrivacy]:
    cursor = UserPrivacy.get_pymongo_collection().find({"_id": {"$in": list(owner_ids)}})
    return [UserPrivacy.model_validate(doc) async for doc in cursor]


async def save_privacy_zones(*, owner_id: str, zones: Sequence[PrivacyZone]) -> UserPrivacy:
    await UserPrivacy.get_pymongo_collection().update_one(
        {"_id": owner_id}, {"$set": {"zones": [zone.model_dump() for zone in zones]}}, upsert=True
    )
    return UserPrivacy(id=owner_id, zones=list(zones))
