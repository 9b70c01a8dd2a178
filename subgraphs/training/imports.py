"""File import jobs: GPX/TCX/FIT upload → job with progress → workout with samples and route.

A job is keyed by (owner, sha256 of the file): uploading the same file again returns the
first job and creates nothing new. The workout it creates carries source IMPORT and
externalId "<owner>:<sha256>", so even racing jobs cannot create two workouts.
Jobs run as asyncio tasks of the process (parsing in a worker thread); a job whose process
died stays RUNNING and can be retried by uploading the file again once it is marked FAILED.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import structlog

from auth.claims import Claims
from subgraphs.common.errors import BadUserInput, FitGraphError
from subgraphs.training import store, store_imports, store_samples
from subgraphs.training.importer import parse_activity
from subgraphs.training.models import ImportJob, ImportStatus, Source, Sport, Visibility, Workout
from subgraphs.training.records import best_efforts_from_samples
from subgraphs.training.service import TrainingService
from subgraphs.training.validation import validate_workout

__all__ = ["ImportRunner"]

_log = structlog.get_logger("fitgraph.training.imports")


async def _set(job_id: str, **values: Any) -> ImportJob:
    return await store_imports.update_import_job(job_id=job_id, **values)


class ImportRunner:
    """Starts and tracks import jobs of this process."""

    def __init__(self, service: TrainingService) -> None:
        self._service = service
        self._tasks: dict[str, asyncio.Task[ImportJob]] = {}

    async def submit(
        self,
        claims: Claims,
        file_name: str,
        data: bytes,
        *,
        sport: Sport | None,
        visibility: Visibility,
        wait: bool,
    ) -> ImportJob:
        if not data:
            raise BadUserInput("the file is empty", field="content")
        if len(data) > self._service.settings.max_import_bytes:
            raise BadUserInput("the file is too large", field="content")
        digest = hashlib.sha256(data).hexdigest()
        fresh = ImportJob(owner_id=claims.subject, file_name=file_name[:200], file_sha256=digest)
        job = await store_imports.insert_import_job(job=fresh)
        if job.id != fresh.id:  # the same file was uploaded before
            if job.status != ImportStatus.FAILED:
                return await self._maybe_wait(job, wait)
            job = await _set(job.id, status=ImportStatus.PENDING.value, progress=0.0, error=None)
        task = asyncio.create_task(self._run(job, data, sport, visibility))
        self._tasks[job.id] = task
        task.add_done_callback(self._forget(job.id))
        return await self._maybe_wait(job, wait)

    def _forget(self, job_id: str) -> Any:
        def done(_task: asyncio.Task[ImportJob]) -> None:
            self._tasks.pop(job_id, None)

        return done

    async def _maybe_wait(self, job: ImportJob, wait: bool) -> ImportJob:
        task = self._tasks.get(job.id)
        if wait and task is not None:
            return await asyncio.shield(task)
        return job

    async def _run(self, job: ImportJob, data: bytes, sport: Sport | None, visibility: Visibility) -> ImportJob:
        try:
            await _set(job.id, status=ImportStatus.RUNNING.value, progress=0.1)
            try:
                parsed = await asyncio.to_thread(parse_activity, job.file_name, data, sport=sport)
            except ValueError as error:  # parse_activity's messages are written for the client
                return await _set(job.id, status=ImportStatus.FAILED.value, error=str(error))
            await _set(job.id, progress=0.5)
            workout = await self._store(job, parsed, visibility)
            return await _set(job.id, status=ImportStatus.SUCCEEDED.value, progress=1.0, workout_id=workout.id)
        except FitGraphError as error:  # absurd values in the file (BAD_USER_INPUT)
            return await _set(job.id, status=ImportStatus.FAILED.value, error=error.message)
        except Exception as error:  # never leave a job RUNNING because of a bug
            _log.error("import_failed", job_id=job.id, error=repr(error))
            return await _set(job.id, status=ImportStatus.FAILED.value, error="internal error")

    async def _store(self, job: ImportJob, parsed: Any, visibility: Visibility) -> Workout:
        external_id = f"{job.owner_id}:{job.file_sha256}"
        existing = await store.workout_by_external_id(source=Source.IMPORT, external_id=external_id)
        if existing is not None and not existing.deleted:
            return existing
        values = validate_workout(
            {
                "sport": parsed.sport,
                "start_time": parsed.start_time,
                "end_time": parsed.end_time,
                "distance_m": parsed.distance_m,
                "elevation_gain_m": parsed.elevation_gain_m,
                "calories": parsed.calories,
                "avg_heart_rate": parsed.avg_heart_rate,
                "max_heart_rate": parsed.max_heart_rate,
                "route_polyline": parsed.route_polyline,
                "device": parsed.device,
                "visibility": visibility,
            },
            prefix="file",
        )
        efforts = best_efforts_from_samples(parsed.samples) if parsed.sport == Sport.RUN else {}
        workout = Workout(
            owner_id=job.owner_id,
            source=Source.IMPORT,
            external_id=external_id,
            sample_count=len(parsed.samples),
            best_efforts=efforts,
            data_origin=job.file_name[:200],
            **values,
        )
        if existing is not None:  # re-import of a deleted workout: give it a fresh id
            external_id = f"{external_id}:{workout.id}"
            workout.external_id = external_id
        try:
            await store.insert_workout(workout=workout)
        except store.DuplicateWorkout:
            raced = await store.workout_by_external_id(source=Source.IMPORT, external_id=external_id)
            if raced is None:
                raise
            return raced
        await store_samples.insert_samples(workout_id=workout.id, owner_id=job.owner_id, samples=parsed.samples)
        await self._service.after_change(workout, "workout.created")
        return workout

    async def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
