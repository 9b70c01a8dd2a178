"""Offline sync for the mobile apps (issue 7, Offline sync).

A batch of client changes is applied idempotently and the server's changes since the
client's cursor come back, tombstones included.

- Ids are client-generated; ``clientVersion`` is the client's own per-record edit counter.
  A change whose clientVersion is not newer than the stored one was applied before (a replayed
  batch): it is acknowledged as UNCHANGED and writes nothing, publishes nothing.
- ``baseVersion`` is the server version the client edited. If the server has moved on, the
  change is a CONFLICT: the server copy is returned and the client's change is kept in
  ``sync_conflicts`` (one row per workout/clientVersion/baseVersion), so neither side is lost.
- Every write stamps the owner's change sequence; the cursor is that sequence number.
- The whole batch is validated before anything is written (BAD_USER_INPUT names the change).

Known limit: the sequence number is taken just before the write, so two writers of the SAME
owner racing each other can commit out of sequence order, and a client syncing in between
could skip the slower one. Per-owner concurrent writes are rare (one person's devices); a
multi-document transaction around counter + write would close the gap on a replica set.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson
from pymongo.errors import DuplicateKeyError

from auth.claims import Claims
from subgraphs.common.errors import BadUserInput
from subgraphs.training import records, store
from subgraphs.training.models import SyncConflictRecord, Workout
from subgraphs.training.service import EDITABLE_FIELDS, TrainingService, workout_event
from subgraphs.training.validation import validate_workout

__all__ = [
    "ChangeOutcome",
    "SyncChange",
    "SyncOutcome",
    "SyncStatus",
    "decode_sync_cursor",
    "encode_sync_cursor",
    "sync_workouts",
]


class SyncStatus(StrEnum):
    APPLIED = "APPLIED"
    UNCHANGED = "UNCHANGED"
    CONFLICT = "CONFLICT"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class SyncChange:
    id: str
    delete: bool
    client_version: int
    base_version: int | None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ChangeOutcome:
    id: str
    status: SyncStatus
    workout: Workout | None = None
    reason: str | None = None
    client_change: dict[str, Any] | None = None


@dataclass
class SyncOutcome:
    results: list[ChangeOutcome]
    changes: list[Workout]
    cursor: str
    has_more: bool


def encode_sync_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_sync_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        kind, _, number = text.partition(":")
        seq = int(number)
        if kind != "seq" or seq < 0:
            raise ValueError(text)
        return seq
    except (ValueError, UnicodeDecodeError) as error:
        raise BadUserInput("since is not a cursor from syncWorkouts", field="since") from error


def _validate(changes: Sequence[SyncChange], max_changes: int) -> list[dict[str, Any]]:
    if len(changes) > max_changes:
        raise BadUserInput(f"at most {max_changes} changes per call", field="changes")
    seen: set[str] = set()
    validated: list[dict[str, Any]] = []
    for index, change in enumerate(changes):
        where = f"changes[{index}]"
        if change.id in seen:
            raise BadUserInput("the same id appears twice in one batch", field=f"{where}.id")
        seen.add(change.id)
        if change.client_version < 1:
            raise BadUserInput("clientVersion must be positive", field=f"{where}.clientVersion")
        if change.base_version is not None and change.base_version < 1:
            raise BadUserInput("baseVersion must be positive", field=f"{where}.baseVersion")
        if change.delete:
            validated.append({})
            continue
        if not change.values:
            raise BadUserInput("an upsert needs the workout", field=f"{where}.workout")
        values = {key: value for key, value in change.values.items() if key in EDITABLE_FIELDS}
        validated.append(validate_workout(values, prefix=f"{where}.workout"))
    return validated


def _snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe copy of the client's values (returned as JSON and stored as is)."""
    result: dict[str, Any] = orjson.loads(orjson.dumps({k: store.dump_value(v) for k, v in values.items()}))
    return result


async def _record_conflict(owner_id: str, change: SyncChange, server: Workout, values: Mapping[str, Any]) -> dict[str, Any]:
    snapshot = {"delete": change.delete, **_snapshot(values)}
    record = SyncConflictRecord(
        owner_id=owner_id,
        workout_id=change.id,
        client_version=change.client_version,
        base_version=change.base_version,
        server_version=server.version,
        change=snapshot,
    )
    try:
        await SyncConflictRecord.get_pymongo_collection().insert_one(
            record.model_dump(by_alias=True, exclude={"id", "revision_id"})
        )
    except DuplicateKeyError:
        pass  # the same conflicting change was reported before (replayed batch)
    return snapshot


async def _apply(
    claims: Claims, change: SyncChange, values: dict[str, Any], existing: Workout | None
) -> tuple[ChangeOutcome, str | None]:
    """Applies one change; returns the outcome and the event kind to publish (if any)."""
    owner = claims.subject
    if existing is None:
        if change.delete:
            return ChangeOutcome(change.id, SyncStatus.UNCHANGED), None
        workout = Workout(id=change.id, owner_id=owner, **{**values, "client_version": change.client_version})
        try:
            await store.insert_workout(workout=workout)
        except store.DuplicateWorkout:
            return ChangeOutcome(change.id, SyncStatus.REJECTED, reason="id already taken"), None
        return ChangeOutcome(change.id, SyncStatus.APPLIED, workout), "workout.created"
    if existing.owner_id != owner:
        return ChangeOutcome(change.id, SyncStatus.REJECTED, reason="id already taken"), None
    if existing.client_version is not None and change.client_version <= existing.client_version:
        return ChangeOutcome(change.id, SyncStatus.UNCHANGED, existing), None
    if change.delete and existing.deleted:
        return ChangeOutcome(change.id, SyncStatus.UNCHANGED, existing), None  # deleted elsewhere too
    base = change.base_version
    if base is None and existing.version == 1 and existing.client_version is not None:
        base = 1  # created by this client earlier; the acknowledgement was lost
    if base != existing.version:
        snapshot = await _record_conflict(owner, change, existing, values)
        return ChangeOutcome(change.id, SyncStatus.CONFLICT, existing, client_change=snapshot), None
    changes: dict[str, Any] = {key: values[key] for key in EDITABLE_FIELDS if key in values}
    changes.update(client_version=change.client_version, deleted=change.delete)
    updated = await store.update_workout(
        workout_id=change.id, expected_version=base, changes=changes, owner_id=owner, allow_deleted=True
    )
    if updated is None:  # lost a race against another writer since we read it
        latest = (await store.workouts_by_ids(ids=[change.id]))[0]
        snapshot = await _record_conflict(owner, change, latest, values)
        return ChangeOutcome(change.id, SyncStatus.CONFLICT, latest, client_change=snapshot), None
    kind = "workout.deleted" if change.delete else ("workout.updated" if not existing.deleted else "workout.created")
    return ChangeOutcome(change.id, SyncStatus.APPLIED, updated), kind


async def sync_workouts(
    service: TrainingService, claims: Claims, changes: Sequence[SyncChange], since: str | None, *, limit: int
) -> SyncOutcome:
    since_seq = decode_sync_cursor(since)
    validated = _validate(changes, service.settings.max_sync_changes)
    existing = {w.id: w for w in await store.workouts_by_ids(ids=[change.id for change in changes])}
    results: list[ChangeOutcome] = []
    for change, values in zip(changes, validated, strict=True):
        outcome, kind = await _apply(claims, change, values, existing.get(change.id))
        results.append(outcome)
        if kind is not None and outcome.workout is not None:
            await service.publish(workout_event(kind, outcome.workout))
    if any(outcome.status is SyncStatus.APPLIED for outcome in results):
        for event in await records.recompute(owner_id=claims.subject):
            await service.publish(event)
    rows = await store.changes_since(owner_id=claims.subject, since_seq=since_seq, limit=limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    cursor_seq = rows[-1].change_seq if rows else since_seq
    return SyncOutcome(results=results, changes=rows, cursor=encode_sync_cursor(cursor_seq), has_more=has_more)
