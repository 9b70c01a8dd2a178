"""Workout data functions: the only module that queries the workouts collection.

Every function is keyword-only and takes id lists where it reads, so DataLoaders batch a
whole request into one query. Writes bump ``version`` (optimistic concurrency) and stamp a
per-owner ``change_seq`` that offline sync cursors point into.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from subgraphs.training.models import ChangeCounter, Source, Sport, Visibility, Workout, utcnow

__all__ = [
    "DuplicateWorkout",
    "PageQuery",
    "changes_since",
    "dump_value",
    "current_change_seq",
    "insert_workout",
    "next_change_seq",
    "update_workout",
    "workout_by_external_id",
    "workout_pages",
    "workouts_by_ids",
    "workouts_in_range",
]

_NEWEST_FIRST = [("start_time", -1), ("_id", -1)]


class DuplicateWorkout(Exception):
    """The id or the (source, externalId) pair is already taken."""


@dataclass(frozen=True, slots=True)
class PageQuery:
    """One owner's page of workouts, newest first; hashable so it can be a loader key."""

    owner_id: str
    first: int
    after: tuple[dt.datetime, str] | None = None
    sport: Sport | None = None
    start_from: dt.datetime | None = None
    start_to: dt.datetime | None = None
    public_only: bool = True

    @property
    def shape(self) -> tuple[Any, ...]:
        return (self.first, self.sport, self.start_from, self.start_to, self.public_only)


def _collection() -> Any:
    return Workout.get_pymongo_collection()


def _parse(doc: Mapping[str, Any]) -> Workout:
    return Workout.model_validate(doc)


async def workouts_by_ids(*, ids: Sequence[str]) -> list[Workout]:
    """Workouts by id, soft-deleted ones included (callers decide what a tombstone means)."""
    if not ids:
        return []
    return [_parse(doc) async for doc in _collection().find({"_id": {"$in": list(ids)}})]


def _owner_clause(query: PageQuery) -> dict[str, Any]:
    clause: dict[str, Any] = {"owner_id": query.owner_id}
    if query.after is not None:
        start, last_id = query.after
        # Keyset pagination on (start_time desc, _id desc): stable while rows are added/removed.
        clause["$or"] = [{"start_time": {"$lt": start}}, {"start_time": start, "_id": {"$lt": last_id}}]
    return clause


def _just_before(moment: dt.datetime) -> dt.datetime:
    """``$gt`` this instead of ``$gte`` moment: equal for BSON's millisecond datetimes.

    SecantusDB (the test and dev server) drops the inclusive bound of ``$gte`` on an index
    range over a descending key; ``$gt`` is answered correctly there and on MongoDB.
    """
    extra = moment.microsecond % 1000
    first_stored = moment + dt.timedelta(microseconds=(1000 - extra) % 1000)  # round up to a millisecond
    return first_stored - dt.timedelta(milliseconds=1)


def _shared_filter(query: PageQuery) -> dict[str, Any]:
    match: dict[str, Any] = {"deleted": False}
    if query.public_only:
        match["visibility"] = Visibility.PUBLIC.value
    if query.sport is not None:
        match["sport"] = query.sport.value
    if query.start_from is not None or query.start_to is not None:
        bounds: dict[str, Any] = {}
        if query.start_from is not None:
            bounds["$gt"] = _just_before(query.start_from)
        if query.start_to is not None:
            bounds["$lt"] = query.start_to
        match["start_time"] = bounds
    return match


async def workout_pages(*, queries: Sequence[PageQuery]) -> list[list[Workout]]:
    """Up to ``first + 1`` workouts per query (the extra row tells hasNextPage).

    Queries of the same shape run as ONE store query: a lone query is an index-bounded
    find().sort().limit(); several owners are one aggregation whose $group keeps the newest
    ``first + 1`` per owner ($topN, MongoDB 5.2+).
    """
    by_shape: dict[tuple[Any, ...], list[PageQuery]] = defaultdict(list)
    for query in queries:
        by_shape[query.shape].append(query)
    results: dict[PageQuery, list[Workout]] = {}
    for group in by_shape.values():
        sample = group[0]
        limit = sample.first + 1
        if len(group) == 1:
            results[sample] = await _single_page(sample, limit)
            continue
        owners: dict[str, PageQuery] = {query.owner_id: query for query in group}
        if any(query.after is not None for query in group):
            owner_match: dict[str, Any] = {"$or": [_owner_clause(query) for query in group]}
        else:
            owner_match = {"owner_id": {"$in": list(owners)}}
        pipeline = [
            {"$match": {**_shared_filter(sample), **owner_match}},
            {
                "$group": {
                    "_id": "$owner_id",
                    "docs": {
                        "$topN": {"n": limit, "sortBy": {"start_time": -1, "_id": -1}, "output": "$$ROOT"}
                    },
                }
            },
        ]
        found: dict[str, list[Workout]] = {}
        async for row in await _collection().aggregate(pipeline):
            found[row["_id"]] = [_parse(doc) for doc in row["docs"]]
        for query in group:
            results[query] = found.get(query.owner_id, [])
    return [results[query] for query in queries]


# Rows sharing the cursor's start time are rare; fetching a few extra covers them.
_TIE_SLACK = 8


async def _single_page(query: PageQuery, limit: int) -> list[Workout]:
    """One owner's page as an index-bounded range scan.

    The keyset condition is written as ``start_time <= cursor`` plus a filter in Python for
    rows at the cursor's exact start time, instead of an $or, which some servers (SecantusDB)
    answer with a collection scan. Only many rows at one instant need the exact $or query.
    """
    match: dict[str, Any] = {**_shared_filter(query), "owner_id": query.owner_id}
    if query.after is None:
        return [_parse(doc) async for doc in _collection().find(match).sort(_NEWEST_FIRST).limit(limit)]
    start, last_id = query.after
    match["start_time"] = {**match.get("start_time", {}), "$lte": start}
    fetched = [_parse(doc) async for doc in _collection().find(match).sort(_NEWEST_FIRST).limit(limit + _TIE_SLACK)]
    rows = [row for row in fetched if not (row.start_time == start and row.id >= last_id)]
    if len(fetched) == limit + _TIE_SLACK and len(rows) < limit:
        exact = {**_shared_filter(query), **_owner_clause(query)}
        return [_parse(doc) async for doc in _collection().find(exact).sort(_NEWEST_FIRST).limit(limit)]
    return rows[:limit]


async def workouts_in_range(
    *, owner_ids: Sequence[str], start_from: dt.datetime, start_to: dt.datetime
) -> list[Workout]:
    """Live workouts of several owners started in [start_from, start_to) (goals, plans)."""
    cursor = _collection().find(
        {
            "owner_id": {"$in": list(owner_ids)},
            "deleted": False,
            "start_time": {"$gt": _just_before(start_from), "$lt": start_to},
        }
    )
    return [_parse(doc) async for doc in cursor]


async def next_change_seq(*, owner_id: str) -> int:
    doc: Any = await ChangeCounter.get_pymongo_collection().find_one_and_update(
        {"_id": owner_id}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    return int(doc["value"])


async def current_change_seq(*, owner_id: str) -> int:
    doc = await ChangeCounter.get_pymongo_collection().find_one({"_id": owner_id})
    return int(doc["value"]) if doc else 0


async def insert_workout(*, workout: Workout) -> Workout:
    workout.change_seq = await next_change_seq(owner_id=workout.owner_id)
    try:
        await _collection().insert_one(workout.model_dump(by_alias=True, exclude={"revision_id"}))
    except DuplicateKeyError as error:
        raise DuplicateWorkout(str(error)) from error
    return workout


async def update_workout(
    *,
    workout_id: str,
    expected_version: int | None,
    changes: Mapping[str, Any],
    owner_id: str,
    allow_deleted: bool = False,
) -> Workout | None:
    """Applies ``changes`` if the stored version still is ``expected_version`` (None: any).

    Returns the new document, or None when the version moved on or the workout is gone.
    """
    condition: dict[str, Any] = {"_id": workout_id, "owner_id": owner_id}
    if not allow_deleted:
        condition["deleted"] = False
    if expected_version is not None:
        condition["version"] = expected_version
    seq = await next_change_seq(owner_id=owner_id)
    dumped = {key: dump_value(value) for key, value in changes.items()}
    doc = await _collection().find_one_and_update(
        condition,
        {"$set": {**dumped, "updated_at": utcnow(), "change_seq": seq}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    return _parse(doc) if doc else None


def dump_value(value: Any) -> Any:
    if isinstance(value, list):
        return [dump_value(item) for item in value]
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value


async def workout_by_external_id(*, source: Source, external_id: str) -> Workout | None:
    doc = await _collection().find_one({"source": source.value, "external_id": external_id})
    return _parse(doc) if doc else None


async def changes_since(*, owner_id: str, since_seq: int, limit: int) -> list[Workout]:
    """Every workout of the owner changed after ``since_seq``, tombstones included, in order."""
    cursor = (
        _collection()
        .find({"owner_id": owner_id, "change_seq": {"$gt": since_seq}})
        .sort([("change_seq", 1)])
        .limit(limit)
    )
    return [_parse(doc) async for doc in cursor]
