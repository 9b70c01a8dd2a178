"""Encoded polylines and privacy zones (issue 7, Privacy zones).

Routes are stored in Google's Encoded Polyline Algorithm Format (precision 5). Anyone but the
owner gets the route with its leading and trailing points removed while they lie inside one
of the owner's zones, so a run that starts at home does not reveal home.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from subgraphs.training.models import PrivacyZone

__all__ = ["decode_polyline", "distance_m", "encode_polyline", "trim_route"]

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


def trim_route(encoded: str | None, zones: Sequence[PrivacyZone]) -> str | None:
    """The route without its start and end inside any zone (None if nothing is left)."""
    if not encoded or not zones:
        return encoded
    try:
        points = decode_polyline(encoded)
    except ValueError:
        return None
    start, end = 0, len(points)
    while start < end and _inside(points[start], zones):
        start += 1
    while end > start and _inside(points[end - 1], zones):
        end -= 1
    if start >= end:
        return None
    return encode_polyline(points[start:end])
