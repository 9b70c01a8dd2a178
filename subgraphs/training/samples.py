"""Adding time-series samples to a workout (bulk, chunked) and deriving best efforts."""

from __future__ import annotations

from collections.abc import Sequence

from auth.claims import Claims
from subgraphs.common.errors import Conflict, Forbidden, NotFound
from subgraphs.training import store, store_samples
from subgraphs.training.access import can_edit, can_view
from subgraphs.training.models import Sample, Sport, Workout
from subgraphs.training.records import best_efforts_from_samples
from subgraphs.training.service import TrainingService
from subgraphs.training.validation import validate_samples

__all__ = ["add_samples"]


async def add_samples(service: TrainingService, claims: Claims, workout_id: str, samples: Sequence[Sample]) -> Workout:
    """Validates every sample first (nothing half-written), stores the new ones in chunks,
    then bumps the workout (sample count, best efforts) and publishes workout.updated.

    Samples at a time already stored are skipped, so retrying a call adds nothing twice.
    """
    found = await store.workouts_by_ids(ids=[workout_id])
    if not found or not can_view(claims, found[0]):
        raise NotFound("Workout not found", field="workoutId")
    workout = found[0]
    if not can_edit(claims, workout):
        raise Forbidden("Only the owner can add samples")
    validate_samples(
        samples, start=workout.start_time, end=workout.end_time, max_count=service.settings.max_samples_per_call
    )
    chunks = await store_samples.chunks_by_workout_ids(workout_ids=[workout_id])
    stored_times = {sample.time for chunk in chunks for sample in chunk.samples}
    fresh: dict[object, Sample] = {}
    for sample in samples:
        if sample.time not in stored_times:
            fresh.setdefault(sample.time, sample)
    if not fresh:
        return workout
    await store_samples.insert_samples(workout_id=workout_id, owner_id=workout.owner_id, samples=list(fresh.values()))
    everything = [sample for chunk in chunks for sample in chunk.samples] + list(fresh.values())
    changes: dict[str, object] = {"sample_count": len(everything)}
    if workout.sport == Sport.RUN:
        changes["best_efforts"] = best_efforts_from_samples(everything)
    updated = await store.update_workout(
        workout_id=workout_id, expected_version=None, changes=changes, owner_id=workout.owner_id
    )
    if updated is None:
        raise Conflict("The workout was deleted meanwhile", field="workoutId")
    await service.after_change(updated, "workout.updated")
    return updated
