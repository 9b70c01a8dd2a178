"""Samples, goals, plans and privacy-zone mutations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from auth.roles import WORKOUTS_WRITE
from subgraphs.common.context import require_scope
from subgraphs.common.errors import BadUserInput
from subgraphs.training import models, store_records
from subgraphs.training.directives import WORKOUTS_WRITER
from subgraphs.training.enums import GoalKind, Sport
from subgraphs.training.inputs import SampleInput, sample_models
from subgraphs.training.mutations_workouts import service_of
from subgraphs.training.samples import add_samples
from subgraphs.training.types import Workout
from subgraphs.training.types_progress import Goal, PrivacyZone, TrainingPlan

__all__ = ["TrainingMutations"]

_MAX_GOALS = 10
_MAX_WEEKS = 52
_MAX_SESSIONS_PER_WEEK = 14
_MAX_ZONES = 10


@strawberry.input
class GoalInput:
    kind: GoalKind  # type: ignore[valid-type]
    target: float
    sport: Sport | None = None  # type: ignore[valid-type]


@strawberry.input
class PlannedSessionInput:
    day: int
    sport: Sport  # type: ignore[valid-type]
    duration_s: float | None = None
    distance_m: float | None = None
    description: str | None = None


@strawberry.input
class PlanWeekInput:
    sessions: list[PlannedSessionInput]


@strawberry.input
class PlanInput:
    name: str
    start_date: dt.date
    weeks: list[PlanWeekInput]


@strawberry.input
class PrivacyZoneInput:
    latitude: float
    longitude: float
    radius_m: float


def _goal(index: int, item: GoalInput, owner_id: str) -> models.Goal:
    where = f"goals[{index}]"
    limit = 2_000_000 if item.kind == models.GoalKind.WEEKLY_DISTANCE else 7 * 24 * 3600
    if not 0 < item.target <= limit:
        raise BadUserInput(f"target must be above 0 and at most {limit}", field=f"{where}.target")
    return models.Goal(owner_id=owner_id, kind=models.GoalKind(item.kind), target=item.target, sport=item.sport)


def _plan(item: PlanInput, owner_id: str) -> models.TrainingPlan:
    name = item.name.strip()
    if not 1 <= len(name) <= 100:
        raise BadUserInput("name must be 1-100 characters", field="input.name")
    if not 1 <= len(item.weeks) <= _MAX_WEEKS:
        raise BadUserInput(f"a plan has 1-{_MAX_WEEKS} weeks", field="input.weeks")
    weeks: list[models.PlanWeek] = []
    for w, week in enumerate(item.weeks):
        if len(week.sessions) > _MAX_SESSIONS_PER_WEEK:
            raise BadUserInput("too many sessions in a week", field=f"input.weeks[{w}].sessions")
        sessions: list[models.PlannedSession] = []
        for s, session in enumerate(week.sessions):
            where = f"input.weeks[{w}].sessions[{s}]"
            if not 0 <= session.day <= 6:
                raise BadUserInput("day must be 0 (Monday) to 6", field=f"{where}.day")
            if session.duration_s is not None and not 0 < session.duration_s <= 24 * 3600:
                raise BadUserInput("durationS out of range", field=f"{where}.durationS")
            if session.distance_m is not None and not 0 < session.distance_m <= 1_000_000:
                raise BadUserInput("distanceM out of range", field=f"{where}.distanceM")
            if session.description is not None and len(session.description) > 500:
                raise BadUserInput("description too long", field=f"{where}.description")
            sessions.append(
                models.PlannedSession(
                    day=session.day,
                    sport=models.Sport(session.sport),
                    duration_s=session.duration_s,
                    distance_m=session.distance_m,
                    description=session.description,
                )
            )
        weeks.append(models.PlanWeek(sessions=sessions))
    return models.TrainingPlan(owner_id=owner_id, name=name, start_date=item.start_date, weeks=weeks)


@strawberry.type
class TrainingMutations:
    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Adds samples in bulk (owner only); samples at stored times are skipped.",
    )
    async def add_samples(
        self, info: Info[Any, Any], workout_id: strawberry.ID, samples: list[SampleInput]
    ) -> Workout:
        claims = require_scope(info, WORKOUTS_WRITE)
        workout = await add_samples(service_of(info), claims, str(workout_id), sample_models(samples))
        return Workout.from_model(workout)

    @strawberry.mutation(directives=WORKOUTS_WRITER, description="Replaces the caller's weekly goals.")
    async def set_goals(self, info: Info[Any, Any], goals: list[GoalInput]) -> list[Goal]:
        claims = require_scope(info, WORKOUTS_WRITE)
        if len(goals) > _MAX_GOALS:
            raise BadUserInput(f"at most {_MAX_GOALS} goals", field="goals")
        keys = [(goal.kind, goal.sport) for goal in goals]
        if len(set(keys)) != len(keys):
            raise BadUserInput("one goal per kind and sport", field="goals")
        built = [_goal(index, goal, claims.subject) for index, goal in enumerate(goals)]
        saved = await store_records.replace_goals(owner_id=claims.subject, goals=built)
        return [Goal.from_model(goal) for goal in saved]

    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Starts following a plan; a plan already active is stopped.",
    )
    async def start_plan(self, info: Info[Any, Any], input: PlanInput) -> TrainingPlan:
        claims = require_scope(info, WORKOUTS_WRITE)
        plan = await store_records.start_plan(plan=_plan(input, claims.subject))
        return TrainingPlan.from_model(plan)

    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Stops the active plan; false when there was none.",
    )
    async def stop_plan(self, info: Info[Any, Any]) -> bool:
        claims = require_scope(info, WORKOUTS_WRITE)
        return await store_records.stop_plan(owner_id=claims.subject) > 0

    @strawberry.mutation(directives=WORKOUTS_WRITER, description="Replaces the caller's privacy zones.")
    async def set_privacy_zones(self, info: Info[Any, Any], zones: list[PrivacyZoneInput]) -> list[PrivacyZone]:
        claims = require_scope(info, WORKOUTS_WRITE)
        if len(zones) > _MAX_ZONES:
            raise BadUserInput(f"at most {_MAX_ZONES} zones", field="zones")
        built: list[models.PrivacyZone] = []
        for index, zone in enumerate(zones):
            where = f"zones[{index}]"
            if not -90 <= zone.latitude <= 90:
                raise BadUserInput("latitude out of range", field=f"{where}.latitude")
            if not -180 <= zone.longitude <= 180:
                raise BadUserInput("longitude out of range", field=f"{where}.longitude")
            if not 50 <= zone.radius_m <= 5_000:
                raise BadUserInput("radiusM must be 50-5000", field=f"{where}.radiusM")
            built.append(models.PrivacyZone(latitude=zone.latitude, longitude=zone.longitude, radius_m=zone.radius_m))
        await store_records.save_privacy_zones(owner_id=claims.subject, zones=built)
        return [PrivacyZone(latitude=z.latitude, longitude=z.longitude, radius_m=z.radius_m) for z in built]
