"""GraphQL enums, registered once over the store enums so both share one definition."""

from __future__ import annotations

import strawberry

from subgraphs.training import models

__all__ = ["GoalKind", "RecordKind", "RecordingMethod", "Source", "Sport", "Visibility"]

Sport = strawberry.enum(models.Sport, name="Sport")
Visibility = strawberry.enum(models.Visibility, name="Visibility")
Source = strawberry.enum(models.Source, name="WorkoutSource")
RecordingMethod = strawberry.enum(models.RecordingMethod, name="RecordingMethod")
RecordKind = strawberry.enum(models.RecordKind, name="RecordKind")
GoalKind = strawberry.enum(models.GoalKind, name="GoalKind")
