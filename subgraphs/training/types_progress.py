"""Strawberry types for personal records, weekly goals, training plans and privacy zones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.training import models
from subgraphs.training.enums import GoalKind, RecordKind, Sport
from subgraphs.training.records import week_start

__all__ = [
    "Goal",
    "GoalProgress",
    "PersonalRecord",
    "PlanProgress",
    "PlanWeek",
    "PlannedSession",
    "PrivacyZone",
    "TrainingPlan",
    "plan_progress",
]

@strawberry.type
class PersonalRecord:
    kind: RecordKind  # type: ignore[valid-type]
    exercise: str | None
    value: float = strawberry.field(description="Seconds (FASTEST_*), metres (LONGEST_RIDE) or kg (HEAVIEST_LIFT).")
    workout_id: strawberry.ID
    achieved_at: dt.datetime

    @classmethod
    def from_model(cls, record: models.PersonalRecord) -> PersonalRecord:
        return cls(
            kind=record.kind,
            exercise=record.exercise or None,
            value=record.value,
            workout_id=strawberry.ID(record.workout_id),
            achieved_at=record.achieved_at,
        )


@strawberry.type
class GoalProgress:
    period_start: dt.datetime
    period_end: dt.datetime
    value: float
    target: float
    percent: float
    achieved: bool


@strawberry.type
class Goal:
    id: strawberry.ID
    kind: GoalKind  # type: ignore[valid-type]
    target: float = strawberry.field(description="Metres (WEEKLY_DISTANCE) or seconds (WEEKLY_DURATION).")
    sport: Sport | None  # type: ignore[valid-type]
    owner_id: strawberry.Private[str]

    @strawberry.field(description="Progress in the current week (Monday 00:00 UTC) or the week of `at`.")
    async def progress(self, info: Info[Any, Any], at: dt.datetime | None = None) -> GoalProgress:
        moment = at if at is not None else dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        start = week_start(moment)
        end = start + dt.timedelta(days=7)
        workouts = await info.context.loaders.workouts_between.load((self.owner_id, start, end))
        if self.sport is not None:
            workouts = [w for w in workouts if w.sport == self.sport]
        if self.kind == models.GoalKind.WEEKLY_DISTANCE:
            value = sum(w.distance_m or 0.0 for w in workouts)
        else:
            value = sum(w.duration_s for w in workouts)
        percent = round(min(100.0, 100.0 * value / self.target), 1) if self.target else 100.0
        return GoalProgress(
            period_start=start,
            period_end=end,
            value=value,
            target=self.target,
            percent=percent,
            achieved=value >= self.target,
        )

    @classmethod
    def from_model(cls, goal: models.Goal) -> Goal:
        return cls(
            id=strawberry.ID(str(goal.id)), kind=goal.kind, target=goal.target, sport=goal.sport, owner_id=goal.owner_id
        )


@strawberry.type
class PlannedSession:
    day: int = strawberry.field(description="0 = Monday of the plan week.")
    sport: Sport  # type: ignore[valid-type]
    duration_s: float | None
    distance_m: float | None
    description: str | None
    date: dt.date
    completed_by: strawberry.ID | None = strawberry.field(description="The workout that fulfilled it.")


@strawberry.type
class PlanWeek:
    index: int
    sessions: list[PlannedSession]


@strawberry.type
class PlanProgress:
    completed_sessions: int
    total_sessions: int
    percent: float
    current_week: int | None


def _plan_end(plan: models.TrainingPlan) -> dt.datetime:
    start = dt.datetime.combine(plan.start_date, dt.time(), tzinfo=dt.UTC)
    return start + dt.timedelta(days=7 * len(plan.weeks))


async def plan_progress(
    info: Info[Any, Any], plan: models.TrainingPlan
) -> tuple[list[PlanWeek], PlanProgress]:
    """Matches each planned session with a workout of the same sport on the same UTC day."""
    start = dt.datetime.combine(plan.start_date, dt.time(), tzinfo=dt.UTC)
    workouts = await info.context.loaders.workouts_between.load((plan.owner_id, start, _plan_end(plan)))
    unused = sorted(workouts, key=lambda w: w.start_time)
    weeks: list[PlanWeek] = []
    done = total = 0
    for index, week in enumerate(plan.weeks):
        sessions: list[PlannedSession] = []
        for session in week.sessions:
            day = plan.start_date + dt.timedelta(days=7 * index + session.day)
            match = next(
                (w for w in unused if w.sport == session.sport and w.start_time.astimezone(dt.UTC).date() == day),
                None,
            )
            if match is not None:
                unused.remove(match)
                done += 1
            total += 1
            sessions.append(
                PlannedSession(
                    day=session.day,
                    sport=session.sport,
                    duration_s=session.duration_s,
                    distance_m=session.distance_m,
                    description=session.description,
                    date=day,
                    completed_by=strawberry.ID(match.id) if match else None,
                )
            )
        weeks.append(PlanWeek(index=index, sessions=sessions))
    today = dt.datetime.now(dt.UTC).date()
    offset = (today - plan.start_date).days // 7
    current = offset if 0 <= offset < len(plan.weeks) else None
    percent = round(100.0 * done / total, 1) if total else 0.0
    return weeks, PlanProgress(completed_sessions=done, total_sessions=total, percent=percent, current_week=current)


@strawberry.type
class TrainingPlan:
    id: strawberry.ID
    name: str
    start_date: dt.date
    active: bool
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    model: strawberry.Private[models.TrainingPlan]

    @strawberry.field
    async def weeks(self, info: Info[Any, Any]) -> list[PlanWeek]:
        return (await plan_progress(info, self.model))[0]

    @strawberry.field
    async def progress(self, info: Info[Any, Any]) -> PlanProgress:
        return (await plan_progress(info, self.model))[1]

    @classmethod
    def from_model(cls, plan: models.TrainingPlan) -> TrainingPlan:
        return cls(
            id=strawberry.ID(str(plan.id)),
            name=plan.name,
            start_date=plan.start_date,
            active=plan.active,
            started_at=plan.started_at,
            stopped_at=plan.stopped_at,
            model=plan,
        )


@strawberry.type
class PrivacyZone:
    latitude: float
    longitude: float
    radius_m: float
