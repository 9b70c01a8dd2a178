"""Demo data for `make dev`: thousands of workouts with samples for the users' demo accounts.

Deterministic (seeded per user, uuid5 ids) and idempotent: a marker document is written last,
and a partial load is completed by a rerun because duplicate inserts are ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from pymongo.errors import BulkWriteError

from subgraphs.training import records
from subgraphs.training.database import TrainingDatabase, open_database
from subgraphs.training.models import (
    ChangeCounter,
    Goal,
    GoalKind,
    PlannedSession,
    PlanWeek,
    SampleChunk,
    Sport,
    StrengthSet,
    TrainingPlan,
    Visibility,
    Workout,
    utcnow,
)
from subgraphs.training.privacy import encode_polyline
from subgraphs.training.records import best_efforts_from_points
from subgraphs.training.settings import Settings
from subgraphs.training.store_samples import CHUNK_SIZE

__all__ = ["WORKOUTS_PER_USER", "demo_owner_ids", "demo_workout_id", "load_demo_bound", "load_demo_data", "load_demo_into"]

_log = structlog.get_logger("fitgraph.training.demo")

WORKOUTS_PER_USER = 24
# Only the most recent workouts carry samples (older ones look like manually logged ones);
# this keeps the first page of every user full while loading stays quick.
_SAMPLED_PER_USER = 8
_NAMESPACE = uuid.UUID("0b8f3c1e-2a43-4f8e-bb51-6a0d4f7e9c21")
_MARKER = "demo:training:v2"
_SAMPLE_EVERY_S = 60
# (share, speed m/s range, duration minutes range) per sport
_SPORTS: Sequence[tuple[Sport, float, tuple[float, float], tuple[int, int]]] = (
    (Sport.RUN, 0.45, (2.6, 4.2), (25, 95)),
    (Sport.RIDE, 0.25, (6.0, 9.5), (45, 180)),
    (Sport.WALK, 0.1, (1.2, 1.7), (30, 90)),
    (Sport.SWIM, 0.08, (0.7, 1.1), (25, 60)),
    (Sport.STRENGTH, 0.07, (0.0, 0.0), (40, 75)),
    (Sport.YOGA, 0.05, (0.0, 0.0), (30, 60)),
)
_CITIES = ((52.52, 13.405), (55.7558, 37.6173), (40.7128, -74.006), (-23.55, -46.633), (1.3521, 103.8198))


def demo_workout_id(user_id: str, index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{user_id}:{index}"))


def demo_owner_ids() -> list[str]:
    try:
        from subgraphs.users.demo import demo_user_ids
    except ImportError:  # the users subgraph is absent: keep the same ids it would make
        namespace = uuid.UUID("6f1c1c52-5d3e-4d0a-9a55-7b0f6c1f1a00")
        return [str(uuid.uuid5(namespace, f"user{i:03d}@fitgraph.dev")) for i in range(1, 301)]
    return [str(user_id) for user_id in demo_user_ids()]


def _pick_sport(rng: random.Random) -> tuple[Sport, tuple[float, float], tuple[int, int]]:
    roll = rng.random()
    for sport, share, speeds, minutes in _SPORTS:
        if roll < share:
            return sport, speeds, minutes
        roll -= share
    return _SPORTS[0][0], _SPORTS[0][2], _SPORTS[0][3]


def _workout(user_id: str, index: int, now: dt.datetime, count: int) -> tuple[Workout, list[dict[str, Any]]]:
    """One workout and its samples as BSON-ready dicts (valid by construction; models would
    cost more than the database insert)."""
    rng = random.Random(f"{user_id}:{index}")
    sport, speeds, minutes = _pick_sport(rng)
    start = (now - dt.timedelta(days=index * 2.5 + rng.random())).replace(microsecond=0)
    duration = rng.randint(*minutes) * 60
    speed = rng.uniform(*speeds)
    distance = round(speed * duration, 1) if speed else None
    rest_hr = rng.randint(55, 70)
    center = _CITIES[uuid.UUID(user_id).int % len(_CITIES)]
    outdoor = sport in (Sport.RUN, Sport.RIDE, Sport.WALK)
    samples: list[dict[str, Any]] = []
    heading = rng.uniform(0, 2 * math.pi)
    lat, lon = center[0] + rng.uniform(-0.02, 0.02), center[1] + rng.uniform(-0.02, 0.02)
    covered = 0.0
    for second in range(0, duration + 1, _SAMPLE_EVERY_S):
        pace = speed * rng.uniform(0.9, 1.1)
        covered += pace * _SAMPLE_EVERY_S if second else 0.0
        heading += rng.uniform(-0.3, 0.3)
        step = pace * _SAMPLE_EVERY_S / 111_000
        lat, lon = lat + step * math.cos(heading), lon + step * math.sin(heading)
        samples.append(
            {
                "time": start + dt.timedelta(seconds=second),
                "heart_rate": min(200, rest_hr + 60 + int(40 * math.sin(second / 600)) + rng.randint(0, 10)),
                "speed_mps": round(pace, 2) if speed else None,
                "cadence": None,
                "power_w": None,
                "latitude": round(lat, 6) if outdoor else None,
                "longitude": round(lon, 6) if outdoor else None,
                "altitude_m": None,
                "distance_m": round(covered, 1) if speed else None,
            }
        )
    heart_rates = [s["heart_rate"] for s in samples]
    route = [(s["latitude"], s["longitude"]) for s in samples if s["latitude"] is not None]
    roll = rng.random()
    visibility = Visibility.PUBLIC if roll < 0.5 else Visibility.FOLLOWERS if roll < 0.7 else Visibility.PRIVATE
    workout = Workout(
        id=demo_workout_id(user_id, index),
        owner_id=user_id,
        sport=sport,
        start_time=start,
        end_time=start + dt.timedelta(seconds=duration),
        duration_s=float(duration),
        distance_m=distance,
        elevation_gain_m=round(rng.uniform(0, 400), 1) if sport in (Sport.RUN, Sport.RIDE) else None,
        calories=round(duration / 60 * rng.uniform(7, 13), 0),
        avg_heart_rate=round(sum(heart_rates) / len(heart_rates)) if heart_rates else None,
        max_heart_rate=max(heart_rates) if heart_rates else None,
        avg_speed_mps=round(speed, 2) if speed else None,
        perceived_effort=rng.randint(3, 9),
        visibility=visibility,
        device="FitGraph demo watch",
        data_origin="demo",
        route_polyline=encode_polyline(route) if route else None,
        sample_count=len(samples) if index < _SAMPLED_PER_USER else 0,
        best_efforts=best_efforts_from_points([(s["time"], s["distance_m"]) for s in samples])
        if sport == Sport.RUN and index < _SAMPLED_PER_USER
        else {},
        change_seq=count - index,
        created_at=start,
        updated_at=start,
    )
    if sport == Sport.STRENGTH:
        workout.sets = [
            StrengthSet(exercise=name, reps=rng.randint(3, 10), weight_kg=float(rng.randint(20, 140)))
            for name in ("squat", "bench press", "deadlift")
        ]
    return workout, samples


async def _insert_ignoring_duplicates(collection: Any, documents: list[dict[str, Any]]) -> None:
    if not documents:
        return
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        if any(item.get("code") != 11000 for item in error.details.get("writeErrors", [])):
            raise


async def load_demo_into(user_ids: Sequence[str], *, workouts_per_user: int = WORKOUTS_PER_USER) -> int:
    """Writes the demo workouts, samples, records, goals (every third user) and plans (every
    fifth) of ``user_ids`` into the bound database; returns the number of workouts."""
    now = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
    total = 0
    for user_id in user_ids:
        workouts: list[dict[str, Any]] = []
        chunks: list[dict[str, Any]] = []
        for index in range(workouts_per_user):
            workout, samples = _workout(user_id, index, now, workouts_per_user)
            if index >= _SAMPLED_PER_USER:
                samples = []
            workouts.append(workout.model_dump(by_alias=True, exclude={"revision_id"}))
            for offset in range(0, len(samples), CHUNK_SIZE):
                part = samples[offset : offset + CHUNK_SIZE]
                # A deterministic chunk id keeps reruns idempotent.
                chunks.append(
                    {
                        "_id": f"{workout.id}:{offset // CHUNK_SIZE}",
                        "workout_id": workout.id,
                        "owner_id": user_id,
                        "first_time": part[0]["time"],
                        "last_time": part[-1]["time"],
                        "samples": part,
                    }
                )
        await _insert_ignoring_duplicates(Workout.get_pymongo_collection(), workouts)
        await _insert_ignoring_duplicates(SampleChunk.get_pymongo_collection(), chunks)
        await ChangeCounter.get_pymongo_collection().update_one(
            {"_id": user_id}, {"$max": {"value": workouts_per_user}}, upsert=True
        )
        await records.recompute(owner_id=user_id)
        total += len(workouts)
    await _goals(user_ids)
    await _plans(user_ids)
    return total


async def _goals(user_ids: Sequence[str]) -> None:
    collection = Goal.get_pymongo_collection()
    for position, user_id in enumerate(user_ids[::3]):
        if await collection.count_documents({"owner_id": user_id}, limit=1):
            continue
        goal = Goal(
            id=str(uuid.uuid5(_NAMESPACE, f"goal:{user_id}")),
            owner_id=user_id,
            kind=GoalKind.WEEKLY_DISTANCE if position % 2 == 0 else GoalKind.WEEKLY_DURATION,
            target=25_000.0 if position % 2 == 0 else 4 * 3600.0,
            created_at=utcnow(),
        )
        await _insert_ignoring_duplicates(collection, [goal.model_dump(by_alias=True, exclude={"revision_id"})])


async def _plans(user_ids: Sequence[str]) -> None:
    """An active 8-week plan for every fifth user, started four weeks before the demo's "now"."""
    collection = TrainingPlan.get_pymongo_collection()
    week = [
        PlannedSession(day=0, sport=Sport.RUN, distance_m=6_000.0, description="easy run"),
        PlannedSession(day=2, sport=Sport.RUN, duration_s=2_700.0, description="intervals"),
        PlannedSession(day=5, sport=Sport.RIDE, distance_m=40_000.0, description="long ride"),
    ]
    for user_id in user_ids[::5]:
        plan = TrainingPlan(
            id=str(uuid.uuid5(_NAMESPACE, f"plan:{user_id}")),
            owner_id=user_id,
            name="Half marathon in 8 weeks",
            start_date=dt.date(2026, 10, 5),
            weeks=[PlanWeek(sessions=week) for _ in range(8)],
        )
        body = plan.model_dump(by_alias=True, exclude={"revision_id"})
        body["start_date"] = plan.start_date.isoformat()
        await _insert_ignoring_duplicates(collection, [body])


async def load_demo_bound() -> bool:
    """Loads the demo data into the database the documents are bound to; False if already there."""
    markers = ChangeCounter.get_pymongo_collection()
    if await markers.find_one({"_id": _MARKER}):
        return False
    await load_demo_into(demo_owner_ids())
    await markers.update_one({"_id": _MARKER}, {"$set": {"value": 1}}, upsert=True)
    return True


async def load_demo_data(settings: Settings) -> None:
    """Idempotent: a second call finds the marker and returns at once.

    Without ``mongodb_url`` there is no shared database to fill: the subgraph then loads the
    demo data into its own embedded SecantusDB at start-up (``demo_data`` setting).
    """
    if settings.mongodb_url is None:
        _log.info("demo_data_deferred_to_embedded_database")
        return
    database: TrainingDatabase = await open_database(settings)
    try:
        await load_demo_bound()
    finally:
        await database.close()
