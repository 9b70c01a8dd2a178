"""Personal records: computed from the owner's live workouts whenever one changes.

Run records use the best effort measured from samples when there is one, otherwise the
workout's average pace over the distance (every run at least as long as the distance holds
a split at least that fast). Deleting the record-holding workout drops or hands the record
to the next best workout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from subgraphs.common.events import Event
from subgraphs.training import store_records
from subgraphs.training.models import PersonalRecord, RecordKind, Sample, Sport

__all__ = ["RUN_DISTANCES", "best_efforts_from_points", "best_efforts_from_samples", "compute_records", "recompute"]

RUN_DISTANCES: Mapping[RecordKind, float] = {
    RecordKind.FASTEST_1K: 1_000.0,
    RecordKind.FASTEST_5K: 5_000.0,
    RecordKind.FASTEST_10K: 10_000.0,
    RecordKind.FASTEST_HALF_MARATHON: 21_097.5,
    RecordKind.FASTEST_MARATHON: 42_195.0,
}

_Key = tuple[str, str]  # (kind, exercise)


def _better(kind: RecordKind, new: float, old: float) -> bool:
    return new < old if kind in RUN_DISTANCES else new > old


def compute_records(owner_id: str, workouts: Iterable[Mapping[str, Any]]) -> dict[_Key, PersonalRecord]:
    """Best record per (kind, exercise) over raw workout documents (see store_records)."""
    best: dict[_Key, PersonalRecord] = {}

    def offer(kind: RecordKind, exercise: str, value: float, doc: Mapping[str, Any]) -> None:
        key = (kind.value, exercise)
        current = best.get(key)
        achieved = doc["start_time"]
        # Ties go to the earlier workout: whoever set a record first holds it.
        if (
            current is None
            or _better(kind, value, current.value)
            or (value == current.value and achieved < current.achieved_at)
        ):
            # model_construct: values are already typed, and this stays a pure function
            # (a Beanie document's __init__ needs a bound database).
            best[key] = PersonalRecord.model_construct(
                owner_id=owner_id,
                kind=kind,
                exercise=exercise,
                value=value,
                workout_id=doc["_id"],
                achieved_at=achieved,
            )

    for doc in workouts:
        sport = doc.get("sport")
        distance = doc.get("distance_m") or 0.0
        if sport == Sport.RUN.value:
            efforts = doc.get("best_efforts") or {}
            for kind, target in RUN_DISTANCES.items():
                measured = efforts.get(kind.value)
                if measured is not None:
                    offer(kind, "", float(measured), doc)
                elif distance >= target and doc.get("duration_s"):
                    offer(kind, "", round(float(doc["duration_s"]) * target / distance, 1), doc)
        elif sport == Sport.RIDE.value and distance > 0:
            offer(RecordKind.LONGEST_RIDE, "", float(distance), doc)
        for item in doc.get("sets") or []:
            weight = item.get("weight_kg")
            if weight:
                offer(RecordKind.HEAVIEST_LIFT, item["exercise"].strip().lower(), float(weight), doc)
    return best


def best_efforts_from_samples(samples: Sequence[Sample]) -> dict[str, float]:
    """Fastest time for each run distance from cumulative-distance samples."""
    return best_efforts_from_points(
        [(sample.time, sample.distance_m) for sample in samples if sample.distance_m is not None]
    )


def best_efforts_from_points(unsorted: Sequence[tuple[dt.datetime, float]]) -> dict[str, float]:
    """Same from (time, cumulative distance) pairs: the shortest window per distance (two pointers)."""
    points = sorted(unsorted, key=lambda point: point[0])
    efforts: dict[str, float] = {}
    for kind, target in RUN_DISTANCES.items():
        fastest: float | None = None
        left = 0
        for right in range(len(points)):
            while left < right and points[right][1] - points[left + 1][1] >= target:
                left += 1
            if points[right][1] - points[left][1] >= target:
                elapsed = (points[right][0] - points[left][0]).total_seconds()
                if elapsed > 0 and (fastest is None or elapsed < fastest):
                    fastest = elapsed
        if fastest is not None:
            efforts[kind.value] = fastest
    return efforts


def _achieved_event(record: PersonalRecord, previous: float | None) -> Event:
    return Event(
        id=f"{record.owner_id}:{record.kind.value}:{record.exercise}:{record.workout_id}:{record.value:g}",
        type="record.achieved",
        subject=record.owner_id,
        data={
            "ownerId": record.owner_id,
            "kind": record.kind.value,
            "exercise": record.exercise or None,
            "value": record.value,
            "previousValue": previous,
            "workoutId": record.workout_id,
            "achievedAt": record.achieved_at.isoformat(),
        },
    )


async def recompute(*, owner_id: str) -> list[Event]:
    """Rewrites the owner's records; returns one record.achieved event per improved record."""
    computed = compute_records(owner_id, await store_records.record_inputs(owner_id=owner_id))
    stored = {
        (record.kind.value, record.exercise): record
        for record in await store_records.records_by_owner_ids(owner_ids=[owner_id])
    }
    upserts: list[PersonalRecord] = []
    events: list[Event] = []
    for key, record in computed.items():
        old = stored.get(key)
        if old is not None and (old.value, old.workout_id) == (record.value, record.workout_id):
            continue
        upserts.append(record)
        if old is None or _better(record.kind, record.value, old.value):
            events.append(_achieved_event(record, old.value if old else None))
    removed = [key for key in stored if key not in computed]
    if upserts or removed:
        await store_records.write_records(owner_id=owner_id, upserts=upserts, removed=removed)
    return events


def week_start(moment: dt.datetime) -> dt.datetime:
    """Monday 00:00 UTC of the week holding ``moment`` (goal periods)."""
    day = moment.astimezone(dt.UTC).date() - dt.timedelta(days=moment.astimezone(dt.UTC).weekday())
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
