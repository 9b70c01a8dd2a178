"""Per-request DataLoaders of the training subgraph (built in get_context, never global)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from strawberry.dataloader import DataLoader

from subgraphs.common.loaders import grouped_loader, keyed_loader
from subgraphs.training import store, store_records, store_samples
from subgraphs.training.models import (
    Goal,
    PersonalRecord,
    SampleChunk,
    TrainingPlan,
    UserPrivacy,
    Workout,
)

__all__ = ["TrainingLoaders"]

WeekKey = tuple[str, dt.datetime, dt.datetime]  # (owner id, from, to)


async def _workouts_in_windows(keys: list[WeekKey]) -> list[list[Workout]]:
    """One query over the union of windows, split back per key."""
    owners = sorted({key[0] for key in keys})
    start = min(key[1] for key in keys)
    end = max(key[2] for key in keys)
    rows = await store.workouts_in_range(owner_ids=owners, start_from=start, start_to=end)
    return [[w for w in rows if w.owner_id == owner and lo <= w.start_time < hi] for owner, lo, hi in keys]


class TrainingLoaders:
    """The loaders of one request, each built on first use.

    A request reads one or two of them (a page of workouts, a user's records); building all
    eight DataLoaders up front cost more than some of the requests that used none.
    """

    @cached_property
    def workout(self) -> DataLoader[str, Workout | None]:
        return keyed_loader(lambda ids: store.workouts_by_ids(ids=ids), lambda workout: workout.id)

    @cached_property
    def workout_page(self) -> DataLoader[store.PageQuery, list[Workout]]:
        return DataLoader(load_fn=lambda queries: store.workout_pages(queries=queries))

    @cached_property
    def records(self) -> DataLoader[str, list[PersonalRecord]]:
        return grouped_loader(
            lambda ids: store_records.records_by_owner_ids(owner_ids=ids), lambda record: record.owner_id
        )

    @cached_property
    def goals(self) -> DataLoader[str, list[Goal]]:
        return grouped_loader(
            lambda ids: store_records.goals_by_owner_ids(owner_ids=ids), lambda goal: goal.owner_id
        )

    @cached_property
    def active_plan(self) -> DataLoader[str, TrainingPlan | None]:
        return keyed_loader(lambda ids: store_records.active_plans(owner_ids=ids), lambda plan: plan.owner_id)

    @cached_property
    def privacy(self) -> DataLoader[str, UserPrivacy | None]:
        return keyed_loader(
            lambda ids: store_records.privacy_zones_by_owner_ids(owner_ids=ids), lambda privacy: privacy.id
        )

    @cached_property
    def sample_chunks(self) -> DataLoader[str, list[SampleChunk]]:
        return grouped_loader(
            lambda ids: store_samples.chunks_by_workout_ids(workout_ids=ids), lambda chunk: chunk.workout_id
        )

    @cached_property
    def workouts_between(self) -> DataLoader[WeekKey, list[Workout]]:
        return DataLoader(load_fn=_workouts_in_windows)
