"""Time-series samples, stored in chunks of at most CHUNK_SIZE per document.

A chunk covers a time range of one workout; reading a workout's samples is one indexed query
on (workout_id, first_time), and the workout document itself stays small.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING

from subgraphs.training.models import Sample, SampleChunk

__all__ = ["CHUNK_SIZE", "chunks_by_workout_ids", "delete_samples", "insert_samples"]

CHUNK_SIZE = 500


async def chunks_by_workout_ids(*, workout_ids: Sequence[str]) -> list[SampleChunk]:
    cursor = (
        SampleChunk.get_pymongo_collection()
        .find({"workout_id": {"$in": list(workout_ids)}})
        .sort([("workout_id", ASCENDING), ("first_time", ASCENDING)])
    )
    return [SampleChunk.model_validate(doc) async for doc in cursor]


async def insert_samples(*, workout_id: str, owner_id: str, samples: Sequence[Sample]) -> int:
    """Writes ``samples`` (sorted by time) as new chunks in one insert_many; returns the count."""
    ordered = sorted(samples, key=lambda sample: sample.time)
    chunks = [
        SampleChunk(
            workout_id=workout_id,
            owner_id=owner_id,
            first_time=part[0].time,
            last_time=part[-1].time,
            samples=part,
        )
        for part in (ordered[i : i + CHUNK_SIZE] for i in range(0, len(ordered), CHUNK_SIZE))
    ]
    if chunks:
        await SampleChunk.get_pymongo_collection().insert_many(
            [chunk.model_dump(by_alias=True, exclude={"revision_id"}) for chunk in chunks]
        )
    return len(ordered)


async def delete_samples(*, workout_id: str) -> None:
    await SampleChunk.get_pymongo_collection().delete_many({"workout_id": workout_id})
