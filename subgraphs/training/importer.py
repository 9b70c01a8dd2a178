"""GPX, TCX and FIT parsing into one normalized activity (issue 7, File import).

Parsing uses maintained libraries: gpxpy (GPX 1.0/1.1), tcxreader (Garmin TCX) and fitdecode
(Garmin/ANT FIT). This module is pure and synchronous: callers run it in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass, field

import fitdecode
import gpxpy
import gpxpy.gpx
from tcxreader.tcxreader import TCXReader

from subgraphs.training.models import Sample, Sport
from subgraphs.training.privacy import distance_m, encode_polyline

__all__ = ["ImportFormat", "ParsedActivity", "detect_format", "parse_activity"]

_SEMICIRCLE_DEGREES = 180.0 / 2**31
_MAX_ROUTE_POINTS = 2000


class ImportFormat:
    GPX = "GPX"
    TCX = "TCX"
    FIT = "FIT"


@dataclass
class ParsedActivity:
    sport: Sport
    start_time: dt.datetime
    end_time: dt.datetime
    samples: list[Sample]
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    calories: float | None = None
    avg_heart_rate: int | None = None
    max_heart_rate: int | None = None
    route_polyline: str | None = None
    device: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def detect_format(file_name: str, data: bytes) -> str:
    """By content first (a renamed file still parses), then by extension."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return ImportFormat.FIT
    head = data[:2048].lower()
    if b"<gpx" in head:
        return ImportFormat.GPX
    if b"<trainingcenterdatabase" in head:
        return ImportFormat.TCX
    extension = os.path.splitext(file_name.lower())[1]
    known = {".gpx": ImportFormat.GPX, ".tcx": ImportFormat.TCX, ".fit": ImportFormat.FIT}
    if extension in known:
        return known[extension]
    raise ValueError("not a GPX, TCX or FIT file")


def sport_from_text(text: str | None) -> Sport:
    value = (text or "").lower()
    table = [
        (("run", "jog", "1"), Sport.RUN),
        (("bik", "cycl", "ride", "2"), Sport.RIDE),
        (("swim", "5"), Sport.SWIM),
        (("walk", "11"), Sport.WALK),
        (("hik", "17"), Sport.HIKE),
        (("row", "15"), Sport.ROW),
        (("strength", "training"), Sport.STRENGTH),
    ]
    for needles, sport in table:
        if any(value == needle or (len(needle) > 2 and needle in value) for needle in needles):
            return sport
    return Sport.OTHER


def _utc(moment: dt.datetime) -> dt.datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    aware = aware.astimezone(dt.UTC)
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


def _parse_gpx(data: bytes) -> tuple[list[Sample], str | None, str | None]:
    gpx = gpxpy.parse(io.BytesIO(data).read().decode("utf-8", errors="replace"))
    samples: list[Sample] = []
    kind = None
    for track in gpx.tracks:
        kind = kind or track.type
        for segment in track.segments:
            for point in segment.points:
                if point.time is None:
                    continue
                samples.append(
                    Sample(
                        time=_utc(point.time),
                        latitude=point.latitude,
                        longitude=point.longitude,
                        altitude_m=point.elevation,
                        heart_rate=_gpx_extension_int(point, "hr"),
                        cadence=_gpx_extension_int(point, "cad"),
                    )
                )
    return samples, kind, gpx.creator


def _gpx_extension_int(point: gpxpy.gpx.GPXTrackPoint, name: str) -> int | None:
    # Garmin's TrackPointExtension: <gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr>...
    for extension in point.extensions:
        for element in extension.iter():
            if element.tag.rsplit("}", 1)[-1] == name and element.text:
                try:
                    return int(float(element.text))
                except ValueError:
                    return None
    return None


def _parse_tcx(data: bytes) -> tuple[list[Sample], str | None, float | None, float | None]:
    # tcxreader reads paths only; the bytes go through a private temporary file.
    with tempfile.NamedTemporaryFile(suffix=".tcx") as handle:
        handle.write(data)
        handle.flush()
        exercise = TCXReader().read(handle.name, only_gps=False)
    samples = [
        Sample(
            time=_utc(point.time),
            latitude=point.latitude,
            longitude=point.longitude,
            altitude_m=point.elevation,
            heart_rate=int(point.hr_value) if point.hr_value is not None else None,
            cadence=int(point.cadence) if point.cadence is not None else None,
            distance_m=point.distance,
        )
        for point in exercise.trackpoints
        if point.time is not None
    ]
    calories = float(exercise.calories) if exercise.calories else None
    distance = float(exercise.distance) if exercise.distance else None
    return samples, exercise.activity_type, calories, distance


def _parse_fit(data: bytes) -> tuple[list[Sample], str | None, dict[str, float]]:
    samples: list[Sample] = []
    sport: str | None = None
    summary: dict[str, float] = {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "record" and frame.has_field("timestamp"):
                values = {f.name: f.value for f in frame.fields}
                lat, lon = values.get("position_lat"), values.get("position_long")
                samples.append(
                    Sample(
                        time=_utc(values["timestamp"]),
                        latitude=lat * _SEMICIRCLE_DEGREES if lat is not None else None,
                        longitude=lon * _SEMICIRCLE_DEGREES if lon is not None else None,
                        heart_rate=values.get("heart_rate"),
                        cadence=values.get("cadence"),
                        power_w=values.get("power"),
                        speed_mps=values.get("speed") or values.get("enhanced_speed"),
                        altitude_m=values.get("altitude") or values.get("enhanced_altitude"),
                        distance_m=values.get("distance"),
                    )
                )
            elif frame.name == "session":
                values = {f.name: f.value for f in frame.fields}
                sport = str(values.get("sport")) if values.get("sport") is not None else sport
                for key in ("total_distance", "total_calories", "total_ascent"):
                    if values.get(key) is not None:
                        summary[key] = float(values[key])
    return samples, sport, summary


def parse_activity(file_name: str, data: bytes, *, sport: Sport | None = None) -> ParsedActivity:
    """Raises ValueError with a client-safe message when the file cannot be used."""
    kind = detect_format(file_name, data)
    calories = distance = ascent = None
    device = None
    try:
        if kind == ImportFormat.GPX:
            samples, activity, device = _parse_gpx(data)
        elif kind == ImportFormat.TCX:
            samples, activity, calories, distance = _parse_tcx(data)
        else:
            samples, activity, summary = _parse_fit(data)
            calories = summary.get("total_calories")
            distance = summary.get("total_distance")
            ascent = summary.get("total_ascent")
    except (ValueError, KeyError, AttributeError, TypeError, fitdecode.FitError, gpxpy.gpx.GPXException) as error:
        raise ValueError(f"the {kind} file could not be parsed") from error
    except Exception as error:  # XML syntax errors and friends surface as assorted types
        raise ValueError(f"the {kind} file could not be parsed") from error
    samples.sort(key=lambda sample: sample.time)
    if len(samples) < 2:
        raise ValueError("the file holds fewer than two timed points")
    _fill_distance(samples)
    heart_rates = [s.heart_rate for s in samples if s.heart_rate]
    positions = [(s.latitude, s.longitude) for s in samples if s.latitude is not None and s.longitude is not None]
    step = max(1, len(positions) // _MAX_ROUTE_POINTS)
    return ParsedActivity(
        sport=sport or sport_from_text(activity),
        start_time=samples[0].time,
        end_time=samples[-1].time,
        samples=samples,
        distance_m=distance if distance else samples[-1].distance_m,
        elevation_gain_m=ascent if ascent is not None else _ascent(samples),
        calories=calories,
        avg_heart_rate=round(sum(heart_rates) / len(heart_rates)) if heart_rates else None,
        max_heart_rate=max(heart_rates) if heart_rates else None,
        route_polyline=encode_polyline(positions[::step]) if positions else None,
        device=device[:200] if device else None,
    )


def _fill_distance(samples: list[Sample]) -> None:
    """Cumulative distance from positions where the file has none."""
    if any(sample.distance_m is not None for sample in samples):
        return
    total = 0.0
    previous: tuple[float, float] | None = None
    for sample in samples:
        if sample.latitude is not None and sample.longitude is not None:
            here = (sample.latitude, sample.longitude)
            if previous is not None:
                total += distance_m(previous, here)
            previous = here
        sample.distance_m = round(total, 1)


def _ascent(samples: list[Sample]) -> float | None:
    altitudes = [s.altitude_m for s in samples if s.altitude_m is not None]
    if len(altitudes) < 2:
        return None
    return round(sum(max(0.0, b - a) for a, b in zip(altitudes, altitudes[1:], strict=False)), 1)
