"""Pure helpers: polylines and privacy trimming, best efforts, record computation, parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from subgraphs.training.importer import detect_format, sport_from_text
from subgraphs.training.models import PrivacyZone, Sample, Sport
from subgraphs.training.privacy import decode_polyline, distance_m, encode_polyline, trim_route
from subgraphs.training.records import best_efforts_from_samples, compute_records, week_start

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def test_polyline_matches_the_reference_example() -> None:
    # The worked example of Google's Encoded Polyline Algorithm Format documentation.
    points = [(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]
    assert encode_polyline(points) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert decode_polyline("_p~iF~ps|U_ulLnnqC_mqNvxq`@") == points


@pytest.mark.parametrize("broken", ["_p~iF~ps|U_", "\x01\x02"])
def test_malformed_polyline_is_rejected(broken: str) -> None:
    with pytest.raises(ValueError):
        decode_polyline(broken)


def test_haversine_distance() -> None:
    assert distance_m((0.0, 0.0), (0.0, 1.0)) == pytest.approx(111_195, rel=1e-3)


def test_trim_route_cuts_both_ends_inside_zones() -> None:
    points = [(0.0, i * 0.001) for i in range(10)]
    zones = [PrivacyZone(latitude=0.0, longitude=0.0, radius_m=150), PrivacyZone(latitude=0.0, longitude=0.009, radius_m=150)]
    trimmed = decode_polyline(trim_route(encode_polyline(points), zones) or "")
    assert trimmed == points[2:8]
    assert trim_route(encode_polyline(points[:2]), zones[:1]) is None
    assert trim_route(encode_polyline(points), []) == encode_polyline(points)


def test_best_efforts_use_the_fastest_window() -> None:
    # 2 km at 4 m/s, then 1 km at 5 m/s.
    samples = [Sample(time=T0 + dt.timedelta(seconds=s), distance_m=4.0 * s) for s in range(0, 501, 10)]
    samples += [Sample(time=T0 + dt.timedelta(seconds=500 + s), distance_m=2000 + 5.0 * s) for s in range(10, 201, 10)]
    efforts = best_efforts_from_samples(samples)
    assert efforts["FASTEST_1K"] == 200.0
    assert "FASTEST_5K" not in efforts


def test_compute_records_prefers_measured_efforts_and_earlier_ties() -> None:
    docs = [
        {"_id": "a", "sport": "RUN", "distance_m": 5000.0, "duration_s": 1500.0, "start_time": T0},
        {"_id": "b", "sport": "RUN", "distance_m": 5000.0, "duration_s": 1500.0, "start_time": T0 + dt.timedelta(days=1)},
        {
            "_id": "c",
            "sport": "RUN",
            "distance_m": 3000.0,
            "duration_s": 1000.0,
            "best_efforts": {"FASTEST_1K": 250.0},
            "start_time": T0 + dt.timedelta(days=2),
        },
    ]
    best = compute_records("u", docs)
    assert (best[("FASTEST_5K", "")].value, best[("FASTEST_5K", "")].workout_id) == (1500.0, "a")
    assert (best[("FASTEST_1K", "")].value, best[("FASTEST_1K", "")].workout_id) == (250.0, "c")


def test_week_start_is_monday_utc() -> None:
    sunday_night = dt.datetime(2024, 4, 7, 23, 30, tzinfo=dt.UTC)
    assert week_start(sunday_night) == dt.datetime(2024, 4, 1, tzinfo=dt.UTC)


def test_format_detection_and_sport_names() -> None:
    assert detect_format("x.bin", b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT") == "FIT"
    assert detect_format("x", b"<?xml version='1.0'?><gpx>") == "GPX"
    assert detect_format("ride.TCX", b"") == "TCX"
    with pytest.raises(ValueError):
        detect_format("notes.txt", b"hello")
    assert sport_from_text("Running") == Sport.RUN
    assert sport_from_text("Biking") == Sport.RIDE
    assert sport_from_text("1") == Sport.RUN
    assert sport_from_text(None) == Sport.OTHER
