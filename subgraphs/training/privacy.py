"""Encoded polylines and privacy zones (issue 7, Privacy zones).

Routes are stored in Google's Encoded Polyline Algorithm Format (precision 5). Anyone but the
owner (and admins, access.sees_everything_of) gets the route with its leading and trailing
points removed while they lie inside one of the owner's zones, so a run that starts at home
does not reveal home.

Samples carry positions too, so they follow the same rule through the same code: `visible_span`
decides which points are hidden for both, and `zones_hidden_from` decides for whom. A hidden
sample keeps its time and metrics (heart rate, speed, distance…) but loses latitude, longitude
and altitude — the route has no metrics to hide, and dropping the sample would also drop data
that reveals no place. Altitude goes with the position: together with the first visible point
it narrows down where the hidden part was.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from strawberry.dataloader import DataLoader

from auth.claims import Claims
from subgraphs.training.access import sees_everything_of
from subgraphs.training.models import PrivacyZone, Sample, UserPrivacy

__all__ = [
    "decode_polyline",
    "distance_m",
    "encode_polyline",
    "hide_sample_positions",
    "trim_route",
    "visible_span",
    "zones_hidden_from",
]

Point = tuple[float, float]
_EARTH_RADIUS_M = 6_371_008.8


def encode_polyline(points: Iterable[Point], precision: int = 5) -> str:
    factor = 10**precision
    output: list[str] = []
    prev_lat = prev_lon = 0
    for lat, lon in points:
        ilat, ilon = round(lat * factor), round(lon * factor)
        for delta in (ilat - prev_lat, ilon - prev_lon):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                output.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            output.append(chr(value + 63))
        prev_lat, prev_lon = ilat, ilon
    return "".join(output)


def decode_polyline(encoded: str, precision: int = 5) -> list[Point]:
    """Raises ValueError on a malformed string."""
    factor = 10**precision
    points: list[Point] = []
    index = lat = lon = 0
    length = len(encoded)
    while index < length:
        deltas: list[int] = []
        for _ in range(2):
            shift = result = 0
            while True:
                if index >= length:
                    raise ValueError("truncated polyline")
                byte = ord(encoded[index]) - 63
                index += 1
                if not 0 <= byte < 64:
                    raise ValueError("invalid polyline character")
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        points.append((lat / factor, lon / factor))
    return points


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _inside(point: Point, zones: Sequence[PrivacyZone]) -> bool:
    return any(distance_m(point, (zone.latitude, zone.longitude)) <= zone.radius_m for zone in zones)


def _hidden(point: Point | None, zones: Sequence[PrivacyZone]) -> bool:
    # A point without a position (a sample before the GPS fix) reveals no place: it joins
    # the hidden start or end rather than ending it, so the first real fix is still judged.
    return point is None or _inside(point, zones)


def visible_span(points: Sequence[Point | None], zones: Sequence[PrivacyZone]) -> tuple[int, int]:
    """[start, end) of the track (in time order) that others may see: the leading and trailing
    points inside any zone are cut. start == end when nothing is left."""
    start, end = 0, len(points)
    if not zones:
        return start, end
    while start < end and _hidden(points[start], zones):
        start += 1
    while end > start and _hidden(points[end - 1], zones):
        end -= 1
    return start, end


def trim_route(encoded: str | None, zones: Sequence[PrivacyZone]) -> str | None:
    """The route without its start and end inside any zone (None if nothing is left)."""
    if not encoded or not zones:
        return encoded
    try:
        points = decode_polyline(encoded)
    except ValueError:
        return None
    start, end = visible_span(points, zones)
    if start >= end:
        return None
    return encode_polyline(points[start:end])


def hide_sample_positions(samples: Sequence[Sample], zones: Sequence[PrivacyZone]) -> list[Sample]:
    """`samples` (in time order) with no position outside `visible_span`: the same points the
    route loses. Other values are kept; the stored samples are not modified."""
    if not zones:
        return list(samples)
    points = [
        (sample.latitude, sample.longitude)
        if sample.latitude is not None and sample.longitude is not None
        else None
        for sample in samples
    ]
    start, end = visible_span(points, zones)
    # Every sample outside the span is copied without a position, even one that seems to have
    # none: a lone latitude (or altitude) must not survive either.
    return [
        sample if start <= index < end else sample.model_copy(update=_NO_POSITION)
        for index, sample in enumerate(samples)
    ]


_NO_POSITION = {"latitude": None, "longitude": None, "altitude_m": None}


async def zones_hidden_from(
    claims: Claims | None, owner_id: str, privacy: DataLoader[str, UserPrivacy | None]
) -> list[PrivacyZone]:
    """The owner's zones to apply for this viewer: none for the owner and admins (the route
    rule, access.sees_everything_of), all of them for everyone else. Loaded through the
    per-request loader, so a page of workouts reads each owner's zones once."""
    if sees_everything_of(claims, owner_id):
        return []
    found = await privacy.load(owner_id)
    return list(found.zones) if found is not None else []
