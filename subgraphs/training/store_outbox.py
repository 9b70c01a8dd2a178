"""Data functions of the event outbox (see outbox.py)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from subgraphs.training.models import Workout, utcnow

__all__ = ["COLLECTION", "forget", "keep", "oldest", "pending_count"]

COLLECTION = "event_outbox"


def _collection() -> Any:
    # Same database as the Beanie documents; the outbox has no model of its own.
    return Workout.get_pymongo_collection().database[COLLECTION]


async def keep(*, stream: str, event: dict[str, Any]) -> None:
    # The event id is the _id: keeping the same event twice stores it once.
    await _collection().update_one(
        {"_id": event["id"]}, {"$setOnInsert": {"stream": stream, "event": event, "kept_at": utcnow()}}, upsert=True
    )


async def oldest(*, limit: int) -> list[dict[str, Any]]:
    return [doc async for doc in _collection().find({}).sort([("kept_at", ASCENDING)]).limit(limit)]


async def forget(*, row_id: str) -> None:
    await _collection().delete_one({"_id": row_id})


async def pending_count() -> int:
    return int(await _collection().count_documents({}))
