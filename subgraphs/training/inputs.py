"""GraphQL input types and their conversion to store values (model field names)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import strawberry
from pydantic import BaseModel

from subgraphs.common.errors import BadUserInput
from subgraphs.training import models
from subgraphs.training.enums import RecordingMethod, Source, Sport, Visibility
from subgraphs.training.privacy import decode_polyline
from subgraphs.training.validation import camel

__all__ = [
    "IngestWorkoutInput",
    "LapInput",
    "PauseInput",
    "SampleInput",
    "SetInput",
    "WorkoutInput",
    "WorkoutPatch",
    "input_values",
    "sample_models",
]


@strawberry.input
class LapInput:
    start_time: dt.datetime
    duration_s: float
    distance_m: float | None = None
    avg_heart_rate: int | None = None


@strawberry.input
class PauseInput:
    paused_at: dt.datetime
    resumed_at: dt.datetime | None = None


@strawberry.input
class SetInput:
    exercise: str
    reps: int
    weight_kg: float | None = None


@strawberry.input
class SampleInput:
    time: dt.datetime
    heart_rate: int | None = None
    speed_mps: float | None = None
    cadence: int | None = None
    power_w: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude_m: float | None = None
    distance_m: float | None = None


@strawberry.input
class WorkoutInput:
    sport: Sport  # type: ignore[valid-type]
    start_time: dt.datetime
    end_time: dt.datetime | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    calories: float | None = None
    avg_heart_rate: int | None = None
    max_heart_rate: int | None = None
    avg_speed_mps: float | None = None
    perceived_effort: int | None = None
    notes: str | None = None
    visibility: Visibility = models.Visibility.PRIVATE  # type: ignore[valid-type]
    client_record_id: str | None = None
    client_version: int | None = None
    recording_method: RecordingMethod = models.RecordingMethod.MANUAL  # type: ignore[valid-type]
    device: str | None = None
    data_origin: str | None = None
    laps: list[LapInput] | None = None
    pauses: list[PauseInput] | None = None
    sets: list[SetInput] | None = None
    route: str | None = strawberry.field(default=None, description="Encoded polyline (precision 5).")


@strawberry.input(description="Only the fields given are changed; null clears an optional field.")
class WorkoutPatch:
    sport: Sport | None = strawberry.UNSET  # type: ignore[valid-type]
    start_time: dt.datetime | None = strawberry.UNSET
    end_time: dt.datetime | None = strawberry.UNSET
    duration_s: float | None = strawberry.UNSET
    distance_m: float | None = strawberry.UNSET
    elevation_gain_m: float | None = strawberry.UNSET
    calories: float | None = strawberry.UNSET
    avg_heart_rate: int | None = strawberry.UNSET
    max_heart_rate: int | None = strawberry.UNSET
    avg_speed_mps: float | None = strawberry.UNSET
    perceived_effort: int | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET  # type: ignore[valid-type]
    client_version: int | None = strawberry.UNSET
    device: str | None = strawberry.UNSET
    data_origin: str | None = strawberry.UNSET
    laps: list[LapInput] | None = strawberry.UNSET
    pauses: list[PauseInput] | None = strawberry.UNSET
    sets: list[SetInput] | None = strawberry.UNSET
    route: str | None = strawberry.UNSET


@strawberry.input(description="A normalized device workout (devices subgraph; scope training:ingest).")
class IngestWorkoutInput:
    owner_id: strawberry.ID
    source: Source  # type: ignore[valid-type]
    external_id: str
    workout: WorkoutInput


# Fields that may not be null even in a patch (null would break the stored document).
_REQUIRED = {"sport", "start_time", "end_time", "duration_s", "visibility", "recording_method"}
_LISTS: dict[str, type[BaseModel]] = {"laps": models.Lap, "pauses": models.PauseEvent, "sets": models.StrengthSet}


def input_values(value: Any, *, prefix: str = "input") -> dict[str, Any]:
    """Model-named values from a WorkoutInput/WorkoutPatch, UNSET fields left out."""
    result: dict[str, Any] = {}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if item is strawberry.UNSET:
            continue
        name = "route_polyline" if field.name == "route" else field.name
        if item is None and name in _REQUIRED:
            if name in ("end_time", "duration_s") and not isinstance(value, WorkoutPatch):
                continue
            raise BadUserInput(f"{field.name} cannot be null", field=f"{prefix}.{camel(field.name)}")
        if name in _LISTS:
            item = [_LISTS[name].model_validate(dataclasses.asdict(entry)) for entry in item or []]
        if name in ("sport", "visibility", "recording_method") and item is not None:
            item = {"sport": models.Sport, "visibility": models.Visibility}.get(name, models.RecordingMethod)(item)
        if name == "route_polyline" and item:
            try:
                decode_polyline(item)
            except ValueError as error:
                raise BadUserInput("route is not an encoded polyline", field=f"{prefix}.route") from error
        result[name] = item
    return result


def _millis(moment: dt.datetime) -> dt.datetime:
    # BSON datetimes hold milliseconds: normalize so stored and incoming times compare equal.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


def sample_models(samples: list[SampleInput]) -> list[models.Sample]:
    result = []
    for sample in samples:
        values = dataclasses.asdict(sample)
        values["time"] = _millis(sample.time)
        result.append(models.Sample.model_validate(values))
    return result
