"""`syncWorkouts`: the offline sync mutation of the mobile apps (see sync.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from auth.roles import WORKOUTS_WRITE
from subgraphs.common.context import require_scope
from subgraphs.common.errors import BadUserInput
from subgraphs.training.directives import WORKOUTS_WRITER
from subgraphs.training.inputs import WorkoutInput, input_values
from subgraphs.training.mutations_workouts import service_of
from subgraphs.training.sync import SyncChange, SyncStatus, sync_workouts
from subgraphs.training.types import Workout

__all__ = ["SyncMutations"]

SyncStatusType = strawberry.enum(SyncStatus, name="SyncStatus")


@strawberry.enum
class SyncOperation(StrEnum):
    UPSERT = "UPSERT"
    DELETE = "DELETE"


@strawberry.input
class WorkoutChangeInput:
    id: strawberry.ID = strawberry.field(description="Client-generated id (UUID).")
    operation: SyncOperation
    client_version: int = strawberry.field(description="The client's edit counter for this record.")
    base_version: int | None = strawberry.field(
        default=None, description="The server version the client edited; null for a record new on the client."
    )
    workout: WorkoutInput | None = None


@strawberry.type
class SyncChangeResult:
    id: strawberry.ID
    status: SyncStatusType  # type: ignore[valid-type]
    version: int | None
    reason: str | None


@strawberry.type
class SyncConflict:
    id: strawberry.ID
    server_version: int
    server: Workout = strawberry.field(description="The server's copy, which was kept.")
    client_change: JSON = strawberry.field(description="The client's change, stored server-side too.")


@strawberry.type
class SyncResult:
    results: list[SyncChangeResult] = strawberry.field(description="One per change, in order.")
    conflicts: list[SyncConflict]
    changes: list[Workout] = strawberry.field(description="Server changes since `since`, deletions included.")
    cursor: str
    has_more: bool


@strawberry.type
class SyncMutations:
    @strawberry.mutation(
        directives=WORKOUTS_WRITER,
        description="Applies offline changes idempotently; returns server changes since `since`.",
    )
    async def sync_workouts(
        self,
        info: Info[Any, Any],
        changes: list[WorkoutChangeInput],
        since: str | None = None,
        limit: int = 200,
    ) -> SyncResult:
        claims = require_scope(info, WORKOUTS_WRITE)
        if not 1 <= limit <= 1000:
            raise BadUserInput("limit must be between 1 and 1000", field="limit")
        parsed: list[SyncChange] = []
        for index, change in enumerate(changes):
            identifier = str(change.id)
            if not identifier or len(identifier) > 64:
                raise BadUserInput("id must be 1-64 characters", field=f"changes[{index}].id")
            values = input_values(change.workout, prefix=f"changes[{index}].workout") if change.workout else {}
            parsed.append(
                SyncChange(
                    id=identifier,
                    delete=change.operation == SyncOperation.DELETE,
                    client_version=change.client_version,
                    base_version=change.base_version,
                    values=values,
                )
            )
        outcome = await sync_workouts(service_of(info), claims, parsed, since, limit=limit)
        return SyncResult(
            results=[
                SyncChangeResult(
                    id=strawberry.ID(item.id),
                    status=item.status,
                    version=item.workout.version if item.workout else None,
                    reason=item.reason,
                )
                for item in outcome.results
            ],
            conflicts=[
                SyncConflict(
                    id=strawberry.ID(item.id),
                    server_version=item.workout.version,
                    server=Workout.from_model(item.workout),
                    client_change=cast(JSON, item.client_change or {}),
                )
                for item in outcome.results
                if item.status is SyncStatus.CONFLICT and item.workout is not None
            ],
            changes=[Workout.from_model(workout) for workout in outcome.changes],
            cursor=outcome.cursor,
            has_more=outcome.has_more,
        )
