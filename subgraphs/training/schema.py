"""Query / Mutation of the training subgraph and its federation schema."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from subgraphs.common.schema import SubgraphSchema, build_schema
from subgraphs.training.access import can_view
from subgraphs.training.mutations_imports import ImportMutations, ImportQueries
from subgraphs.training.mutations_sync import SyncMutations
from subgraphs.training.mutations_training import TrainingMutations
from subgraphs.training.mutations_workouts import WorkoutMutations
from subgraphs.training.types import User, Workout, claims_of, loaders_of

__all__ = ["Query", "create_schema"]


@strawberry.type
class WorkoutQueries:
    @strawberry.field(description="A workout the caller may see, or null.")
    async def workout(self, info: Info[Any, Any], id: strawberry.ID) -> Workout | None:
        found = await loaders_of(info).workout.load(str(id))
        if found is None or not can_view(claims_of(info), found):
            return None
        return Workout.from_model(found)


Query = merge_types("Query", (WorkoutQueries, ImportQueries))
Mutation = merge_types("Mutation", (WorkoutMutations, SyncMutations, TrainingMutations, ImportMutations))


def create_schema(*, mask_errors: bool = True) -> SubgraphSchema:
    return build_schema(query=Query, mutation=Mutation, types=[User, Workout], mask_errors=mask_errors)
