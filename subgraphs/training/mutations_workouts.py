"""Workout CRUD and device ingestion mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from auth.roles import TRAINING_INGEST, WORKOUTS_WRITE
from subgraphs.common.context import require_scope
from subgraphs.common.errors import BadUserInput
from subgraphs.training import models
from subgraphs.training.directives import INGEST, WORKOUTS_WRITER
from subgraphs.training.inputs import IngestWorkoutInput, WorkoutInput, WorkoutPatch, input_values
from subgraphs.training.service import TrainingService
from subgraphs.training.types import Workout

__all__ = ["IngestResult", "WorkoutMutations", "service_of"]


def service_of(info: Info[Any, Any]) -> TrainingService:
    service: TrainingService = info.context.services.training
    return service


def _id(value: strawberry.ID, field: str = "id") -> str:
    text = str(value)
    if not text or len(text) > 64:
        raise BadUserInput("not a workout id", field=field)
    return text


@strawberry.type
class IngestResult:
    workout: Workout
    created: bool = strawberry.field(description="False when an identical delivery was already stored.")
    changed: bool


@strawberry.type
class WorkoutMutations:
    @strawberry.mutation(directives=WORKOUTS_WRITER, description="Creates a workout owned by the caller.")
    async def create_workout(
        self, info: Info[Any, Any], input: WorkoutInput, id: strawberry.ID | None = None
    ) -> Workout:
        claims = require_scope(info, WORKOUTS_WRITE)
        workout = await service_of(info).create(
            claims, input_values(input), workout_id=_id(id) if id is not None else None
        )
        return Workout.from_model(workout)

    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Owner only; `version` must be the current version (optimistic concurrency).",
    )
    async def update_workout(
        self, info: Info[Any, Any], id: strawberry.ID, version: int, input: WorkoutPatch
    ) -> Workout:
        claims = require_scope(info, WORKOUTS_WRITE)
        workout = await service_of(info).update(claims, _id(id), version, input_values(input))
        return Workout.from_model(workout)

    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Soft-deletes (sync clients receive the tombstone). Owner only.",
    )
    async def delete_workout(self, info: Info[Any, Any], id: strawberry.ID, version: int | None = None) -> Workout:
        claims = require_scope(info, WORKOUTS_WRITE)
        workout = await service_of(info).delete(claims, _id(id), version)
        return Workout.from_model(workout)

    @strawberry.mutation(
        directives=INGEST,
        description="Internal: upserts a device workout by (source, externalId).",
    )
    async def ingest_workout(self, info: Info[Any, Any], input: IngestWorkoutInput) -> IngestResult:
        require_scope(info, TRAINING_INGEST)
        external_id = input.external_id.strip()
        if not external_id or len(external_id) > 200:
            raise BadUserInput("externalId must be 1-200 characters", field="input.externalId")
        values = input_values(input.workout, prefix="input.workout")
        values["recording_method"] = models.RecordingMethod.AUTOMATIC
        workout, changed = await service_of(info).ingest(
            _id(input.owner_id, "input.ownerId"), models.Source(input.source), external_id, values
        )
        created = changed and workout.version == 1
        return IngestResult(workout=Workout.from_model(workout), created=created, changed=changed)
