"""Beanie documents of the training store (no GraphQL here).

Workouts are keyed by UUID strings so offline clients can create them with their own ids
(the sync protocol relies on that). Time-series samples live in their own collection in
chunks, so a workout document stays small whatever the recording rate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

__all__ = [
    "ALL_DOCUMENTS",
    "ChangeCounter",
    "Goal",
    "GoalKind",
    "ImportJob",
    "ImportStatus",
    "Lap",
    "PauseEvent",
    "PersonalRecord",
    "PlanWeek",
    "PlannedSession",
    "PrivacyZone",
    "RecordKind",
    "RecordingMethod",
    "Sample",
    "SampleChunk",
    "Source",
    "Sport",
    "StrengthSet",
    "SyncConflictRecord",
    "TrainingPlan",
    "UserPrivacy",
    "Visibility",
    "Workout",
    "new_id",
    "utcnow",
]


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Sport(StrEnum):
    RUN = "RUN"
    RIDE = "RIDE"
    SWIM = "SWIM"
    WALK = "WALK"
    HIKE = "HIKE"
    ROW = "ROW"
    STRENGTH = "STRENGTH"
    YOGA = "YOGA"
    HIIT = "HIIT"
    OTHER = "OTHER"


class Visibility(StrEnum):
    PUBLIC = "PUBLIC"
    FOLLOWERS = "FOLLOWERS"
    PRIVATE = "PRIVATE"


class Source(StrEnum):
    MANUAL = "MANUAL"
    IMPORT = "IMPORT"
    GARMIN = "GARMIN"
    STRAVA = "STRAVA"
    POLAR = "POLAR"
    SUUNTO = "SUUNTO"
    WAHOO = "WAHOO"
    FITBIT = "FITBIT"
    COROS = "COROS"
    APPLE_HEALTH = "APPLE_HEALTH"
    GOOGLE_FIT = "GOOGLE_FIT"


class RecordingMethod(StrEnum):
    AUTOMATIC = "AUTOMATIC"
    MANUAL = "MANUAL"


class Lap(BaseModel):
    start_time: dt.datetime
    duration_s: float
    distance_m: float | None = None
    avg_heart_rate: int | None = None


class PauseEvent(BaseModel):
    paused_at: dt.datetime
    resumed_at: dt.datetime | None = None


class StrengthSet(BaseModel):
    exercise: str
    reps: int
    weight_kg: float | None = None


class Workout(Document):
    id: str = Field(default_factory=new_id)  # type: ignore[assignment]
    owner_id: str
    sport: Sport
    start_time: dt.datetime
    end_time: dt.datetime
    duration_s: float
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    calories: float | None = None
    avg_heart_rate: int | None = None
    max_heart_rate: int | None = None
    avg_speed_mps: float | None = None
    perceived_effort: int | None = None
    notes: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    source: Source = Source.MANUAL
    external_id: str | None = None
    # Offline-client and health-platform metadata.
    client_record_id: str | None = None
    client_version: int | None = None
    recording_method: RecordingMethod = RecordingMethod.MANUAL
    device: str | None = None
    data_origin: str | None = None
    laps: list[Lap] = Field(default_factory=list)
    pauses: list[PauseEvent] = Field(default_factory=list)
    sets: list[StrengthSet] = Field(default_factory=list)
    route_polyline: str | None = None
    # Best efforts (record kind -> seconds) derived from samples, so recomputing records
    # never has to read the samples collection.
    best_efforts: dict[str, float] = Field(default_factory=dict)
    sample_count: int = 0
    version: int = 1
    change_seq: int = 0
    deleted: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)

    class Settings:
        name = "workouts"
        indexes = [
            # User.workouts connection, keyset on (start_time, id): equality fields first, then
            # the sort keys, so the page is an index-bounded scan for the owner (all live
            # workouts) and for everyone else (PUBLIC live workouts).
            IndexModel(
                [("owner_id", ASCENDING), ("deleted", ASCENDING), ("start_time", DESCENDING), ("_id", DESCENDING)],
                name="owner_live_start",
            ),
            IndexModel(
                [
                    ("owner_id", ASCENDING),
                    ("visibility", ASCENDING),
                    ("deleted", ASCENDING),
                    ("start_time", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="owner_visibility_start",
            ),
            # Offline sync: changes since a per-owner sequence number.
            IndexModel([("owner_id", ASCENDING), ("change_seq", ASCENDING)], name="owner_change_seq"),
            # Device ingestion dedupe: one workout per vendor activity.
            IndexModel(
                [("source", ASCENDING), ("external_id", ASCENDING)],
                name="source_external_id",
                unique=True,
                partialFilterExpression={"external_id": {"$type": "string"}},
            ),
        ]


class Sample(BaseModel):
    time: dt.datetime
    heart_rate: int | None = None
    speed_mps: float | None = None
    cadence: int | None = None
    power_w: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude_m: float | None = None
    distance_m: float | None = None  # cumulative distance from the workout start


class SampleChunk(Document):
    id: str = Field(default_factory=new_id)  # type: ignore[assignment]
    workout_id: str
    owner_id: str
    first_time: dt.datetime
    last_time: dt.datetime
    samples: list[Sample]

    class Settings:
        name = "workout_samples"
        indexes = [IndexModel([("workout_id", ASCENDING), ("first_time", ASCENDING)], name="workout_time")]


class RecordKind(StrEnum):
    FASTEST_1K = "FASTEST_1K"
    FASTEST_5K = "FASTEST_5K"
    FASTEST_10K = "FASTEST_10K"
    FASTEST_HALF_MARATHON = "FASTEST_HALF_MARATHON"
    FASTEST_MARATHON = "FASTEST_MARATHON"
    LONGEST_RIDE = "LONGEST_RIDE"
    HEAVIEST_LIFT = "HEAVIEST_LIFT"


class PersonalRecord(Document):
    owner_id: str
    kind: RecordKind
    exercise: str = ""  # only HEAVIEST_LIFT has one; "" keeps the unique index total
    value: float  # seconds for FASTEST_*, metres for LONGEST_RIDE, kg for HEAVIEST_LIFT
    workout_id: str
    achieved_at: dt.datetime

    class Settings:
        name = "personal_records"
        indexes = [
            IndexModel(
                [("owner_id", ASCENDING), ("kind", ASCENDING), ("exercise", ASCENDING)],
                name="owner_kind_exercise",
                unique=True,
            )
        ]


class GoalKind(StrEnum):
    WEEKLY_DISTANCE = "WEEKLY_DISTANCE"
    WEEKLY_DURATION = "WEEKLY_DURATION"


class Goal(Document):
    id: str = Field(default_factory=new_id)  # type: ignore[assignment]
    owner_id: str
    kind: GoalKind
    target: float  # metres or seconds
    sport: Sport | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)

    class Settings:
        name = "goals"
        indexes = [IndexModel([("owner_id", ASCENDING)], name="owner")]


class PlannedSession(BaseModel):
    day: int  # 0 = Monday of the week
    sport: Sport
    duration_s: float | None = None
    distance_m: float | None = None
    description: str | None = None


class PlanWeek(BaseModel):
    sessions: list[PlannedSession]


class TrainingPlan(Document):
    id: str = Field(default_factory=new_id)  # type: ignore[assignment]
    owner_id: str
    name: str
    start_date: dt.date
    weeks: list[PlanWeek]
    active: bool = True
    started_at: dt.datetime = Field(default_factory=utcnow)
    stopped_at: dt.datetime | None = None

    class Settings:
        name = "training_plans"
        indexes = [IndexModel([("owner_id", ASCENDING), ("active", ASCENDING)], name="owner_active")]


class ChangeCounter(Document):
    """Per-owner change sequence that offline sync cursors point into."""

    id: str  # type: ignore[assignment]
    value: int = 0

    class Settings:
        name = "change_counters"


class SyncConflictRecord(Document):
    """A client change that lost against a newer server version, kept so neither side is lost."""

    owner_id: str
    workout_id: str
    client_version: int | None
    base_version: int | None
    server_version: int
    change: dict[str, Any]
    created_at: dt.datetime = Field(default_factory=utcnow)

    class Settings:
        name = "sync_conflicts"
        indexes = [
            IndexModel(
                [("workout_id", ASCENDING), ("client_version", ASCENDING), ("base_version", ASCENDING)],
                name="workout_client_version",
                unique=True,
            )
        ]


class PrivacyZone(BaseModel):
    latitude: float
    longitude: float
    radius_m: float


class UserPrivacy(Document):
    id: str  # type: ignore[assignment]  # the owner id
    zones: list[PrivacyZone] = Field(default_factory=list)

    class Settings:
        name = "user_privacy"


class ImportStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class ImportJob(Document):
    id: str = Field(default_factory=new_id)  # type: ignore[assignment]
    owner_id: str
    file_name: str
    file_sha256: str
    status: ImportStatus = ImportStatus.PENDING
    progress: float = 0.0
    workout_id: str | None = None
    error: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)

    class Settings:
        name = "import_jobs"
        indexes = [
            IndexModel([("owner_id", ASCENDING), ("file_sha256", ASCENDING)], name="owner_file", unique=True)
        ]


ALL_DOCUMENTS: list[type[Document]] = [
    Workout,
    SampleChunk,
    PersonalRecord,
    Goal,
    TrainingPlan,
    ChangeCounter,
    SyncConflictRecord,
    UserPrivacy,
    ImportJob,
]
