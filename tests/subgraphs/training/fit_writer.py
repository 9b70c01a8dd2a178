"""A minimal FIT activity writer for tests (FIT protocol 1.0: header, definitions, data, CRC)."""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FitPoint", "write_fit"]

_FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip
_ENUM, _UINT8, _UINT16, _SINT32, _UINT32 = 0x00, 0x02, 0x84, 0x85, 0x86
_SIZES = {_ENUM: 1, _UINT8: 1, _UINT16: 2, _SINT32: 4, _UINT32: 4}
_FORMATS = {_ENUM: "B", _UINT8: "B", _UINT16: "H", _SINT32: "i", _UINT32: "I"}


@dataclass
class FitPoint:
    time: dt.datetime
    latitude: float
    longitude: float
    heart_rate: int
    distance_m: float


def _crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        for nibble in (byte & 0xF, (byte >> 4) & 0xF):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def _stamp(moment: dt.datetime) -> int:
    return int((moment - _FIT_EPOCH).total_seconds())


def _semicircles(degrees: float) -> int:
    return round(degrees * 2**31 / 180.0)


def _definition(local: int, global_number: int, fields: Sequence[tuple[int, int]]) -> bytes:
    body = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_number, len(fields))
    for number, base in fields:
        body += struct.pack("<BBB", number, _SIZES[base], base)
    return body


def _data(local: int, fields: Sequence[tuple[int, int]], values: Sequence[int]) -> bytes:
    return bytes([local]) + b"".join(struct.pack("<" + _FORMATS[base], value) for (_n, base), value in zip(fields, values, strict=True))


def write_fit(points: Sequence[FitPoint], *, sport: int = 1, calories: int = 500) -> bytes:
    """An activity file: file_id, one record per point, one session (sport 1 = running)."""
    file_id = [(0, _ENUM), (1, _UINT16), (4, _UINT32)]
    record = [(253, _UINT32), (0, _SINT32), (1, _SINT32), (3, _UINT8), (5, _UINT32)]
    session = [(253, _UINT32), (2, _UINT32), (7, _UINT32), (9, _UINT32), (5, _ENUM), (11, _UINT16)]
    body = _definition(0, 0, file_id) + _data(0, file_id, [4, 1, _stamp(points[0].time)])
    body += _definition(1, 20, record)
    for point in points:
        body += _data(
            1,
            record,
            [
                _stamp(point.time),
                _semicircles(point.latitude),
                _semicircles(point.longitude),
                point.heart_rate,
                round(point.distance_m * 100),
            ],
        )
    elapsed = (points[-1].time - points[0].time).total_seconds()
    body += _definition(2, 18, session)
    body += _data(
        2,
        session,
        [_stamp(points[-1].time), _stamp(points[0].time), round(elapsed * 1000), round(points[-1].distance_m * 100), sport, calories],
    )
    header = struct.pack("<BBHI4s", 14, 0x10, 2093, len(body), b".FIT")
    header += struct.pack("<H", _crc(header))
    content = header + body
    return content + struct.pack("<H", _crc(content))
