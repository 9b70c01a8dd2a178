"""`importWorkoutFile` and `importJob`: GPX/TCX/FIT upload as base64 (see imports.py)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from auth.roles import WORKOUTS_READ, WORKOUTS_WRITE
from subgraphs.common.context import require_scope
from subgraphs.common.errors import BadUserInput
from subgraphs.training import models
from subgraphs.training.directives import OWN_DATA_READ, WORKOUTS_WRITER
from subgraphs.training.enums import Sport, Visibility
from subgraphs.training.imports import ImportRunner
from subgraphs.training.store_imports import import_jobs_by_ids
from subgraphs.training.types import Workout, loaders_of

__all__ = ["ImportMutations", "ImportQueries"]

ImportStatus = strawberry.enum(models.ImportStatus, name="ImportStatus")


@strawberry.type
class ImportJob:
    id: strawberry.ID
    file_name: str
    status: ImportStatus  # type: ignore[valid-type]
    progress: float
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    workout_id: strawberry.Private[str | None]

    @strawberry.field
    async def workout(self, info: Info[Any, Any]) -> Workout | None:
        if self.workout_id is None:
            return None
        found = await loaders_of(info).workout.load(self.workout_id)
        return Workout.from_model(found) if found and not found.deleted else None

    @classmethod
    def from_model(cls, job: models.ImportJob) -> ImportJob:
        return cls(
            id=strawberry.ID(job.id),
            file_name=job.file_name,
            status=job.status,
            progress=job.progress,
            error=job.error,
            created_at=job.created_at,
            updated_at=job.updated_at,
            workout_id=job.workout_id,
        )


def runner_of(info: Info[Any, Any]) -> ImportRunner:
    runner: ImportRunner = info.context.services.imports
    return runner


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Imports a GPX, TCX or FIT file (base64). Re-uploading the same file returns the first job."
    )
    async def import_workout_file(
        self,
        info: Info[Any, Any],
        file_name: str,
        content_base64: str,
        sport: Sport | None = None,  # type: ignore[valid-type]
        visibility: Visibility = models.Visibility.PRIVATE,  # type: ignore[valid-type]
        wait: Annotated[bool, strawberry.argument(description="Return only once the job has finished.")] = False,
    ) -> ImportJob:
        claims = require_scope(info, WORKOUTS_WRITE)
        if not file_name.strip() or len(file_name) > 200:
            raise BadUserInput("fileName must be 1-200 characters", field="fileName")
        limit = info.context.services.settings.max_import_bytes
        if len(content_base64) > limit * 4 // 3 + 4:
            raise BadUserInput("the file is too large", field="contentBase64")
        try:
            data = base64.b64decode(content_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise BadUserInput("contentBase64 is not base64", field="contentBase64") from error
        job = await runner_of(info).submit(
            claims,
            file_name.strip(),
            data,
            sport=models.Sport(sport) if sport else None,
            visibility=models.Visibility(visibility),
            wait=wait,
        )
        return ImportJob.from_model(job)


@strawberry.type
class ImportQueries:
    @strawberry.field(directives=OWN_DATA_READ, description="One of the caller's import jobs.")
    async def import_job(self, info: Info[Any, Any], id: strawberry.ID) -> ImportJob | None:
        claims = require_scope(info, WORKOUTS_READ)
        jobs = await import_jobs_by_ids(ids=[str(id)])
        if not jobs or jobs[0].owner_id != claims.subject:
            return None
        return ImportJob.from_model(jobs[0])
