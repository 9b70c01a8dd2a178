"""Strawberry types of the training subgraph: Workout (entity) and the User extension.

Every resolve_reference and every list field goes through a per-request loader.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from typing import Any

import orjson
import strawberry
from strawberry.types import Info

from subgraphs.common.context import RequestContext
from subgraphs.common.errors import BadUserInput, Forbidden
from subgraphs.training import models
from subgraphs.training.access import can_view, sees_everything_of
from subgraphs.training.directives import OWN_DATA_READ
from subgraphs.training.enums import RecordingMethod, Source, Sport, Visibility
from subgraphs.training.privacy import hide_sample_positions, trim_route, zones_hidden_from
from subgraphs.training.store import PageQuery
from subgraphs.training.types_progress import Goal, PersonalRecord, PrivacyZone, TrainingPlan
from subgraphs.training.validation import validate_page

__all__ = [
    "Lap",
    "PageInfo",
    "PauseEvent",
    "Sample",
    "StrengthSet",
    "User",
    "Workout",
    "WorkoutConnection",
    "WorkoutEdge",
    "WorkoutFilter",
    "decode_cursor",
    "encode_cursor",
    "claims_of",
    "loaders_of",
]


def loaders_of(info: Info[Any, Any]) -> Any:
    context: RequestContext = info.context
    return context.loaders


def claims_of(info: Info[Any, Any]) -> Any:
    return info.context.claims


def encode_cursor(workout: models.Workout) -> str:
    raw = orjson.dumps([workout.start_time.isoformat(), workout.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        start, workout_id = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = dt.datetime.fromisoformat(start)
        if not isinstance(workout_id, str) or moment.tzinfo is None:
            raise ValueError("bad cursor")
        return moment, workout_id
    except (ValueError, TypeError, orjson.JSONDecodeError) as error:
        raise BadUserInput("after is not a cursor from this connection", field="after") from error


@strawberry.type
class Lap:
    start_time: dt.datetime
    duration_s: float
    distance_m: float | None
    avg_heart_rate: int | None


@strawberry.type
class PauseEvent:
    paused_at: dt.datetime
    resumed_at: dt.datetime | None


@strawberry.type
class StrengthSet:
    exercise: str
    reps: int
    weight_kg: float | None


@strawberry.type
class Sample:
    time: dt.datetime
    heart_rate: int | None
    speed_mps: float | None
    cadence: int | None
    power_w: int | None
    latitude: float | None
    longitude: float | None
    altitude_m: float | None
    distance_m: float | None


@strawberry.federation.type(keys=["id"])
class Workout:
    id: strawberry.ID
    sport: Sport  # type: ignore[valid-type]
    start_time: dt.datetime
    end_time: dt.datetime
    duration_s: float
    distance_m: float | None
    elevation_gain_m: float | None
    calories: float | None
    avg_heart_rate: int | None
    max_heart_rate: int | None
    avg_speed_mps: float | None
    perceived_effort: int | None
    notes: str | None
    visibility: Visibility  # type: ignore[valid-type]
    source: Source  # type: ignore[valid-type]
    external_id: str | None
    client_record_id: str | None
    client_version: int | None
    recording_method: RecordingMethod  # type: ignore[valid-type]
    device: str | None
    data_origin: str | None
    laps: list[Lap]
    pauses: list[PauseEvent]
    sets: list[StrengthSet]
    sample_count: int
    version: int
    deleted: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    owner_id: strawberry.Private[str]
    route_polyline: strawberry.Private[str | None]

    @strawberry.field
    def owner(self) -> User:
        return User(id=strawberry.ID(self.owner_id))

    @strawberry.field(description="Seconds per kilometre, from the average speed or distance and duration.")
    def avg_pace_s_per_km(self) -> float | None:
        if self.avg_speed_mps:
            return round(1000 / self.avg_speed_mps, 1)
        if self.distance_m and self.duration_s:
            return round(self.duration_s * 1000 / self.distance_m, 1)
        return None

    @strawberry.field(description="Encoded polyline; trimmed by the owner's privacy zones for others.")
    async def route(self, info: Info[Any, Any]) -> str | None:
        if self.route_polyline is None:
            return None
        zones = await zones_hidden_from(claims_of(info), self.owner_id, loaders_of(info).privacy)
        return trim_route(self.route_polyline, zones)

    @strawberry.field(
        directives=OWN_DATA_READ,
        description=(
            "Time-series samples in time order (up to `first`). For others than the owner and admins,"
            " samples at the start and end inside the owner's privacy zones have no position, as the"
            " route is trimmed."
        ),
    )
    async def samples(
        self, info: Info[Any, Any], first: int = 1000, since: dt.datetime | None = None
    ) -> list[Sample]:
        if not 0 <= first <= 20_000:
            raise BadUserInput("first must be between 0 and 20000", field="first")
        since = _aware(since)
        loaders = loaders_of(info)
        # Both loads in one tick: a list of workouts batches each into one query.
        chunks, zones = await asyncio.gather(
            loaders.sample_chunks.load(str(self.id)),
            zones_hidden_from(claims_of(info), self.owner_id, loaders.privacy),
        )
        ordered = sorted(
            (sample for chunk in chunks for sample in chunk.samples), key=lambda sample: sample.time
        )
        # Privacy zones (privacy.py) apply to the whole series, before `since` and `first` cut it,
        # so the hidden start is the same whatever page is asked for.
        shown = hide_sample_positions(ordered, zones)
        result = [Sample(**sample.model_dump()) for sample in shown if since is None or sample.time >= since]
        return result[:first]

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Workout | None:
        workout = await loaders_of(info).workout.load(str(id))
        if workout is None or not can_view(claims_of(info), workout):
            return None
        return cls.from_model(workout)

    @classmethod
    def from_model(cls, workout: models.Workout) -> Workout:
        # Read the parsed values straight from __dict__: Beanie documents route every
        # attribute access through a lazy-parsing hook, which costs more than the copy itself.
        values = vars(workout)
        fields = {name: values[name] for name in _COPIED_FIELDS}
        return cls(
            id=strawberry.ID(values["id"]),
            laps=[Lap(**vars(lap)) for lap in values["laps"]],
            pauses=[PauseEvent(**vars(pause)) for pause in values["pauses"]],
            sets=[StrengthSet(**vars(item)) for item in values["sets"]],
            **fields,
        )


_COPIED_FIELDS = (
    "sport",
    "start_time",
    "end_time",
    "duration_s",
    "distance_m",
    "elevation_gain_m",
    "calories",
    "avg_heart_rate",
    "max_heart_rate",
    "avg_speed_mps",
    "perceived_effort",
    "notes",
    "visibility",
    "source",
    "external_id",
    "client_record_id",
    "client_version",
    "recording_method",
    "device",
    "data_origin",
    "sample_count",
    "version",
    "deleted",
    "created_at",
    "updated_at",
    "owner_id",
    "route_polyline",
)


@strawberry.type(name="WorkoutPageInfo")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class WorkoutEdge:
    cursor: str
    node: Workout


@strawberry.type
class WorkoutConnection:
    edges: list[WorkoutEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Workout]:
        return [edge.node for edge in self.edges]


@strawberry.input
class WorkoutFilter:
    sport: Sport | None = None  # type: ignore[valid-type]
    from_: dt.datetime | None = strawberry.field(default=None, name="from")
    to: dt.datetime | None = None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)

    @strawberry.field(directives=OWN_DATA_READ, description="Newest first; others see only PUBLIC workouts.")
    async def workouts(
        self,
        info: Info[Any, Any],
        filter: WorkoutFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> WorkoutConnection:
        context: RequestContext = info.context
        validate_page(first, context.services.settings.max_page_size)
        start_from = _aware(filter.from_) if filter else None
        start_to = _aware(filter.to) if filter else None
        if start_from is not None and start_to is not None and start_to < start_from:
            raise BadUserInput("filter.to is before filter.from", field="filter.to")
        query = PageQuery(
            owner_id=str(self.id),
            first=first,
            after=decode_cursor(after) if after else None,
            sport=models.Sport(filter.sport) if filter and filter.sport else None,
            start_from=start_from,
            start_to=start_to,
            public_only=not sees_everything_of(context.claims, str(self.id)),
        )
        rows = await context.loaders.workout_page.load(query)
        edges = [WorkoutEdge(cursor=encode_cursor(row), node=Workout.from_model(row)) for row in rows[:first]]
        return WorkoutConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
            ),
        )

    @strawberry.field(
        directives=OWN_DATA_READ,
        description="Owner and admins only; others get an empty list.",
    )
    async def personal_records(self, info: Info[Any, Any]) -> list[PersonalRecord]:
        if not sees_everything_of(claims_of(info), str(self.id)):
            return []
        rows = await loaders_of(info).records.load(str(self.id))
        return [PersonalRecord.from_model(row) for row in rows]

    @strawberry.field(
        directives=OWN_DATA_READ,
        description="The plan being followed (owner and admins only).",
    )
    async def active_plan(self, info: Info[Any, Any]) -> TrainingPlan | None:
        if not sees_everything_of(claims_of(info), str(self.id)):
            return None
        plan = await loaders_of(info).active_plan.load(str(self.id))
        return TrainingPlan.from_model(plan) if plan else None

    @strawberry.field(
        directives=OWN_DATA_READ,
        description="Weekly goals with progress (owner and admins only).",
    )
    async def goals(self, info: Info[Any, Any]) -> list[Goal]:
        if not sees_everything_of(claims_of(info), str(self.id)):
            return []
        return [Goal.from_model(goal) for goal in await loaders_of(info).goals.load(str(self.id))]

    @strawberry.field(
        directives=OWN_DATA_READ,
        description="Places whose surroundings are cut from routes shown to others (owner only).",
    )
    async def privacy_zones(self, info: Info[Any, Any]) -> list[PrivacyZone]:
        if not sees_everything_of(claims_of(info), str(self.id)):
            raise Forbidden("Privacy zones are visible to their owner only")
        privacy = await loaders_of(info).privacy.load(str(self.id))
        zones = privacy.zones if privacy else []
        return [PrivacyZone(latitude=z.latitude, longitude=z.longitude, radius_m=z.radius_m) for z in zones]
