"""Input validation: absurd values become BAD_USER_INPUT naming the GraphQL field.

Everything is checked before anything is written, so a rejected request leaves no trace.
Field names in errors are the GraphQL (camelCase) names of the input fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from subgraphs.common.errors import BadUserInput
from subgraphs.training.models import Sample, Sport, utcnow

__all__ = [
    "LIMITS",
    "camel",
    "validate_page",
    "validate_samples",
    "validate_workout",
]

# Upper bounds well beyond any human performance; anything past them is a client bug.
LIMITS: Mapping[str, tuple[float, float]] = {
    "duration_s": (0, 14 * 24 * 3600),
    "distance_m": (0, 5_000_000),
    "elevation_gain_m": (0, 30_000),
    "calories": (0, 50_000),
    "avg_heart_rate": (20, 250),
    "max_heart_rate": (20, 250),
    "avg_speed_mps": (0, 100),
    "perceived_effort": (1, 10),
}
_MAX_NOTES = 4000
_MAX_TEXT = 200
_MAX_LIST = 1000
_FUTURE_SLACK = dt.timedelta(days=1)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _field(prefix: str, name: str) -> str:
    return f"{prefix}.{camel(name)}" if prefix else camel(name)


def _aware(value: dt.datetime) -> dt.datetime:
    """UTC-aware and cut to milliseconds, the precision BSON stores: a value read back then
    compares equal to the one written (redelivered webhooks, replayed sync batches)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


def validate_workout(values: Mapping[str, Any], *, prefix: str = "input") -> dict[str, Any]:
    """Checks a complete set of workout values (after merging an update); returns them normalized.

    ``duration_s`` defaults to end - start. Raises BadUserInput for the first bad field.
    """
    data = dict(values)
    for name, (low, high) in LIMITS.items():
        value = data.get(name)
        if value is None:
            continue
        if not low <= value <= high:
            raise BadUserInput(
                f"{camel(name)} must be between {low:g} and {high:g}", field=_field(prefix, name)
            )
    start = data.get("start_time")
    end = data.get("end_time")
    if start is None:
        raise BadUserInput("startTime is required", field=_field(prefix, "start_time"))
    start = data["start_time"] = _aware(start)
    if start > utcnow() + _FUTURE_SLACK:
        raise BadUserInput("startTime is in the future", field=_field(prefix, "start_time"))
    if end is None:
        if data.get("duration_s") is None:
            raise BadUserInput("endTime or durationS is required", field=_field(prefix, "end_time"))
        end = start + dt.timedelta(seconds=float(data["duration_s"]))
    end = data["end_time"] = _aware(end)
    if end < start:
        raise BadUserInput("endTime is before startTime", field=_field(prefix, "end_time"))
    elapsed = (end - start).total_seconds()
    if elapsed > LIMITS["duration_s"][1]:
        raise BadUserInput("workout spans more than 14 days", field=_field(prefix, "end_time"))
    if data.get("duration_s") is None:
        data["duration_s"] = elapsed
    elif data["duration_s"] > elapsed + 1:
        # Moving time can be shorter than elapsed time (pauses), never longer.
        raise BadUserInput("durationS exceeds endTime - startTime", field=_field(prefix, "duration_s"))
    avg_hr, max_hr = data.get("avg_heart_rate"), data.get("max_heart_rate")
    if avg_hr is not None and max_hr is not None and avg_hr > max_hr:
        raise BadUserInput("avgHeartRate exceeds maxHeartRate", field=_field(prefix, "avg_heart_rate"))
    notes = data.get("notes")
    if notes is not None and len(notes) > _MAX_NOTES:
        raise BadUserInput(f"notes longer than {_MAX_NOTES} characters", field=_field(prefix, "notes"))
    for name in ("device", "data_origin", "external_id", "client_record_id"):
        text = data.get(name)
        if text is not None and (not text.strip() or len(text) > _MAX_TEXT):
            raise BadUserInput(
                f"{camel(name)} must be 1-{_MAX_TEXT} characters", field=_field(prefix, name)
            )
    _validate_parts(data, start, end, prefix)
    return data


def _validate_parts(data: Mapping[str, Any], start: dt.datetime, end: dt.datetime, prefix: str) -> None:
    for name in ("laps", "pauses", "sets"):
        if len(data.get(name) or []) > _MAX_LIST:
            raise BadUserInput(f"at most {_MAX_LIST} {name}", field=_field(prefix, name))
    for index, lap in enumerate(data.get("laps") or []):
        where = _field(prefix, f"laps[{index}]")
        if lap.duration_s < 0 or lap.duration_s > LIMITS["duration_s"][1]:
            raise BadUserInput("lap durationS out of range", field=f"{where}.durationS")
        if lap.distance_m is not None and not 0 <= lap.distance_m <= LIMITS["distance_m"][1]:
            raise BadUserInput("lap distanceM out of range", field=f"{where}.distanceM")
        if lap.avg_heart_rate is not None and not 20 <= lap.avg_heart_rate <= 250:
            raise BadUserInput("lap avgHeartRate out of range", field=f"{where}.avgHeartRate")
        if not start <= _aware(lap.start_time) <= end:
            raise BadUserInput("lap starts outside the workout", field=f"{where}.startTime")
    for index, pause in enumerate(data.get("pauses") or []):
        where = _field(prefix, f"pauses[{index}]")
        paused = _aware(pause.paused_at)
        if not start <= paused <= end:
            raise BadUserInput("pause outside the workout", field=f"{where}.pausedAt")
        if pause.resumed_at is not None and not paused <= _aware(pause.resumed_at) <= end:
            raise BadUserInput("resume before pause or after the end", field=f"{where}.resumedAt")
    for index, item in enumerate(data.get("sets") or []):
        where = _field(prefix, f"sets[{index}]")
        if not item.exercise.strip() or len(item.exercise) > _MAX_TEXT:
            raise BadUserInput("exercise must be 1-200 characters", field=f"{where}.exercise")
        if not 0 <= item.reps <= 10_000:
            raise BadUserInput("reps out of range", field=f"{where}.reps")
        if item.weight_kg is not None and not 0 <= item.weight_kg <= 1_000:
            raise BadUserInput("weightKg out of range", field=f"{where}.weightKg")
    if data.get("sets") and data.get("sport") not in (Sport.STRENGTH, Sport.HIIT, Sport.OTHER, None):
        raise BadUserInput("sets are only for strength sessions", field=_field(prefix, "sets"))


def validate_page(first: int, max_page_size: int) -> None:
    if not 0 <= first <= max_page_size:
        raise BadUserInput(f"first must be between 0 and {max_page_size}", field="first")


_SAMPLE_LIMITS: Mapping[str, tuple[float, float]] = {
    "heart_rate": (20, 250),
    "speed_mps": (0, 100),
    "cadence": (0, 300),
    "power_w": (0, 3000),
    "latitude": (-90, 90),
    "longitude": (-180, 180),
    "altitude_m": (-500, 9000),
    "distance_m": (0, 5_000_000),
}


def validate_samples(
    samples: Sequence[Sample], *, start: dt.datetime, end: dt.datetime, max_count: int
) -> None:
    """Samples must lie inside the workout's time range and within physical limits."""
    if not samples:
        raise BadUserInput("samples must not be empty", field="samples")
    if len(samples) > max_count:
        raise BadUserInput(f"at most {max_count} samples per call", field="samples")
    for index, sample in enumerate(samples):
        if not start <= _aware(sample.time) <= end:
            raise BadUserInput("sample outside the workout's time range", field=f"samples[{index}].time")
        for name, (low, high) in _SAMPLE_LIMITS.items():
            value = getattr(sample, name)
            if value is not None and not low <= value <= high:
                raise BadUserInput(f"{camel(name)} out of range", field=f"samples[{index}].{camel(name)}")
