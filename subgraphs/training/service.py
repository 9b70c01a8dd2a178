"""Workout use cases: authorization, validation, store writes, records and events.

Each successful change publishes exactly one ``workout.*`` event whose id is derived from the
workout id and its new version, so consumers deduplicate redeliveries, and a replay that
changes nothing publishes nothing.

Event contract (stream "training" of subgraphs.common.events; Event.subject = owner id):
- ``workout.created`` / ``workout.updated`` / ``workout.deleted``, id "<workoutId>:v<version>:<type>",
  data {workoutId, ownerId, version, sport, startTime (ISO 8601), durationS, distanceM,
  visibility, source};
- ``record.achieved``, id "<ownerId>:<kind>:<exercise>:<workoutId>:<value>", data {ownerId,
  kind, exercise, value, previousValue, workoutId, achievedAt}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auth.claims import Claims
from subgraphs.common.errors import BadUserInput, Conflict, Forbidden, NotFound
from subgraphs.common.events import Event, EventBus
from subgraphs.training import records, store
from subgraphs.training.access import can_edit, can_view
from subgraphs.training.models import Source, Workout
from subgraphs.training.outbox import publish_or_keep
from subgraphs.training.settings import Settings
from subgraphs.training.validation import validate_workout

__all__ = ["EVENT_STREAM", "TrainingService", "workout_event"]

EVENT_STREAM = "training"

# Fields a client may set; everything else (owner, version, timestamps) is server-owned.
EDITABLE_FIELDS = frozenset(
    {
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
        "client_record_id",
        "client_version",
        "recording_method",
        "device",
        "data_origin",
        "laps",
        "pauses",
        "sets",
        "route_polyline",
    }
)


def workout_event(kind: str, workout: Workout) -> Event:
    return Event(
        id=f"{workout.id}:v{workout.version}:{kind}",
        type=kind,
        subject=workout.owner_id,
        data={
            "workoutId": workout.id,
            "ownerId": workout.owner_id,
            "version": workout.version,
            "sport": workout.sport.value,
            "startTime": workout.start_time.isoformat(),
            "durationS": workout.duration_s,
            "distanceM": workout.distance_m,
            "visibility": workout.visibility.value,
            "source": workout.source.value,
        },
    )


def _editable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key in EDITABLE_FIELDS}


def _current_values(workout: Workout) -> dict[str, Any]:
    return {name: getattr(workout, name) for name in EDITABLE_FIELDS}


class TrainingService:
    def __init__(self, *, bus: EventBus, settings: Settings) -> None:
        self.bus = bus
        self.settings = settings

    async def publish(self, event: Event) -> None:
        await publish_or_keep(self.bus, EVENT_STREAM, event)

    async def after_change(self, workout: Workout, kind: str) -> None:
        """Publishes the change, then recomputes the owner's records (record.achieved events)."""
        await self.publish(workout_event(kind, workout))
        for event in await records.recompute(owner_id=workout.owner_id):
            await self.publish(event)

    async def _visible(self, claims: Claims | None, workout_id: str) -> Workout:
        found = await store.workouts_by_ids(ids=[workout_id])
        if not found or not can_view(claims, found[0]):
            raise NotFound("Workout not found", field="id")
        return found[0]

    async def create(
        self,
        claims: Claims,
        values: Mapping[str, Any],
        *,
        workout_id: str | None = None,
        prefix: str = "input",
    ) -> Workout:
        data = validate_workout(_editable(values), prefix=prefix)
        workout = Workout(owner_id=claims.subject, **data)
        if workout_id is not None:
            workout.id = workout_id
        try:
            await store.insert_workout(workout=workout)
        except store.DuplicateWorkout as error:
            raise Conflict("A workout with this id already exists", field="id") from error
        await self.after_change(workout, "workout.created")
        return workout

    async def update(
        self, claims: Claims, workout_id: str, expected_version: int, values: Mapping[str, Any]
    ) -> Workout:
        if expected_version < 1:
            raise BadUserInput("version must be positive", field="version")
        current = await self._visible(claims, workout_id)
        if not can_edit(claims, current):
            raise Forbidden("Only the owner can change a workout")
        changes = _editable(values)
        data = validate_workout({**_current_values(current), **changes})
        # Derived values (duration, end) may change when start/end change.
        changes = {key: data[key] for key in EDITABLE_FIELDS if key in changes or key in ("end_time", "duration_s")}
        if expected_version == current.version and not any(
            _differs(getattr(current, key), value) for key, value in changes.items()
        ):
            return current  # nothing changes: no new version, no event
        updated = await store.update_workout(
            workout_id=workout_id, expected_version=expected_version, changes=changes, owner_id=current.owner_id
        )
        if updated is None:
            return await self._conflict(claims, workout_id)
        await self.after_change(updated, "workout.updated")
        return updated

    async def _conflict(self, claims: Claims, workout_id: str) -> Workout:
        latest = await self._visible(claims, workout_id)
        raise Conflict(
            "The workout was changed by someone else; reload it and retry",
            field="version",
            currentVersion=latest.version,
        )

    async def delete(self, claims: Claims, workout_id: str, expected_version: int | None) -> Workout:
        current = await self._visible(claims, workout_id)
        if not can_edit(claims, current):
            raise Forbidden("Only the owner can delete a workout")
        deleted = await store.update_workout(
            workout_id=workout_id,
            expected_version=expected_version,
            changes={"deleted": True},
            owner_id=current.owner_id,
        )
        if deleted is None:
            return await self._conflict(claims, workout_id)
        await self.after_change(deleted, "workout.deleted")
        return deleted

    async def ingest(
        self,
        owner_id: str,
        source: Source,
        external_id: str,
        values: Mapping[str, Any],
        *,
        prefix: str = "input.workout",
    ) -> tuple[Workout, bool]:
        """Upserts a device workout by (source, externalId); returns (workout, changed).

        A webhook delivered twice finds the first copy and, its values being equal, writes
        nothing and publishes nothing.
        """
        if source in (Source.MANUAL, Source.IMPORT):
            raise BadUserInput("source must be a device vendor", field="input.source")
        data = validate_workout(_editable(values), prefix=prefix)
        for _attempt in range(3):
            existing = await store.workout_by_external_id(source=source, external_id=external_id)
            if existing is None:
                workout = Workout(owner_id=owner_id, source=source, external_id=external_id, **data)
                try:
                    await store.insert_workout(workout=workout)
                except store.DuplicateWorkout:
                    continue  # a concurrent delivery won the insert: update that one instead
                await self.after_change(workout, "workout.created")
                return workout, True
            if existing.owner_id != owner_id:
                raise Conflict("This external activity belongs to another user", field="input.externalId")
            changes = {key: value for key, value in data.items() if _differs(getattr(existing, key), value)}
            if not changes and not existing.deleted:
                return existing, False
            updated = await store.update_workout(
                workout_id=existing.id,
                expected_version=existing.version,
                changes={**changes, "deleted": False},
                owner_id=owner_id,
                allow_deleted=True,
            )
            if updated is not None:
                await self.after_change(updated, "workout.updated")
                return updated, True
        raise Conflict("The workout is being changed concurrently; retry", field="input.externalId")


def _differs(stored: Any, incoming: Any) -> bool:
    # Compare in the form the store writes (nested models as dicts), so equal laps/sets with
    # different object identities do not count as a change.
    return bool(store.dump_value(stored) != store.dump_value(incoming))
