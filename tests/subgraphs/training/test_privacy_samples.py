"""Privacy zones hide sample positions the way they trim routes (subgraphs/training/privacy.py).

A loop run starts and ends at home; home is a zone. The owner and admins see every position;
anyone else sees the same samples (time, heart rate, distance) but no position where the
route is trimmed — on a single workout, through `_entities` and through the workout list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from subgraphs.training.models import PrivacyZone, Sample
from subgraphs.training.privacy import (
    decode_polyline,
    distance_m,
    encode_polyline,
    hide_sample_positions,
    trim_route,
    visible_span,
)
from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import create

ADD = "mutation($id: ID!, $samples: [SampleInput!]!) { addSamples(workoutId: $id, samples: $samples) { id } }"
ZONES = "mutation($zones: [PrivacyZoneInput!]!) { setPrivacyZones(zones: $zones) { radiusM } }"
FIELDS = "time heartRate distanceM latitude longitude altitudeM"
ONE = f"query($id: ID!) {{ workout(id: $id) {{ route samples {{ {FIELDS} }} }} }}"
PAGE = f"""
query($id: ID!, $since: DateTime) {{ workout(id: $id) {{ samples(since: $since, first: 3) {{ {FIELDS} }} }} }}
"""
ENTITIES = f"""
query($representations: [_Any!]!) {{
  _entities(representations: $representations) {{ ... on Workout {{ id route samples {{ {FIELDS} }} }} }}
}}
"""
LIST = f"""
query($id: ID!) {{
  _entities(representations: [{{__typename: "User", id: $id}}]) {{
    ... on User {{ workouts(first: 10) {{ edges {{ node {{ id samples {{ {FIELDS} }} }} }} }} }}
  }}
}}
"""

HOME = (52.52, 13.405)
RADIUS_M = 300.0
START = dt.datetime(2024, 5, 1, 7, 0, tzinfo=dt.UTC)  # test_workouts.run(): 07:00-07:50
# Out 14 steps north (~111 m each) and back: the first and last three points are within 300 m.
PATH = [(round(HOME[0] + step * 0.001, 5), HOME[1]) for step in [*range(15), *range(13, -1, -1)]]


def loop_samples() -> list[dict[str, Any]]:
    """A sample before the GPS fix (no position), then one per point of PATH, 10 s apart."""
    samples: list[dict[str, Any]] = [{"time": START.isoformat(), "heartRate": 90, "distanceM": 0.0}]
    for index, (lat, lon) in enumerate(PATH, start=1):
        samples.append(
            {
                "time": (START + dt.timedelta(seconds=10 * index)).isoformat(),
                "heartRate": 100 + index,
                "distanceM": 111.0 * index,
                "latitude": lat,
                "longitude": lon,
                "altitudeM": 34.0 + index,
            }
        )
    return samples


def in_zone(lat: float, lon: float) -> bool:
    return distance_m((lat, lon), HOME) <= RADIUS_M


async def zoned_runner(training: Harness, workouts: int = 1) -> tuple[str, list[str]]:
    """A user with a zone at home and `workouts` PUBLIC loop runs with samples and route."""
    user = new_user()
    await training.ok(
        ZONES, {"zones": [{"latitude": HOME[0], "longitude": HOME[1], "radiusM": RADIUS_M}]}, user=user
    )
    ids = []
    for _ in range(workouts):
        workout = await create(training, user, visibility="PUBLIC", route=encode_polyline(PATH))
        await training.ok(ADD, {"id": workout["id"], "samples": loop_samples()}, user=user)
        ids.append(workout["id"])
    return user, ids


def assert_complete(samples: list[dict[str, Any]]) -> None:
    sent = loop_samples()
    assert [s["heartRate"] for s in samples] == [s["heartRate"] for s in sent]
    assert [(s["latitude"], s["longitude"]) for s in samples[1:]] == PATH
    assert [s["altitudeM"] for s in samples[1:]] == [s["altitudeM"] for s in sent[1:]]


def assert_hidden_in_zone(samples: list[dict[str, Any]], route: str | None = None) -> None:
    """Same metrics as sent; no position (nor altitude) inside the zone; positions elsewhere."""
    sent = loop_samples()
    assert [(s["time"][:19], s["heartRate"], s["distanceM"]) for s in samples] == [
        (s["time"][:19], s["heartRate"], s["distanceM"]) for s in sent
    ]
    for got, original in zip(samples[1:], sent[1:], strict=True):
        if in_zone(original["latitude"], original["longitude"]):
            assert (got["latitude"], got["longitude"], got["altitudeM"]) == (None, None, None)
        else:
            assert (got["latitude"], got["longitude"]) == (original["latitude"], original["longitude"])
    visible = [(s["latitude"], s["longitude"]) for s in samples if s["latitude"] is not None]
    assert visible == PATH[3:-3]
    if route is not None:
        # One rule for both: the positions left in the samples are exactly the trimmed route.
        assert decode_polyline(route) == visible


async def test_owner_and_admin_see_every_position(training: Harness) -> None:
    user, (workout,) = await zoned_runner(training)
    own = await training.ok(ONE, {"id": workout}, user=user)
    assert_complete(own["workout"]["samples"])
    assert decode_polyline(own["workout"]["route"]) == PATH
    admin = await training.ok(ONE, {"id": workout}, user=new_user(), roles=("admin",))
    assert_complete(admin["workout"]["samples"])


async def test_others_get_no_position_inside_a_zone(training: Harness) -> None:
    _user, (workout,) = await zoned_runner(training)
    for viewer in (new_user(), None):  # another signed-in user, then anonymous
        seen = await training.ok(ONE, {"id": workout}, user=viewer)
        assert_hidden_in_zone(seen["workout"]["samples"], route=seen["workout"]["route"])
    # A page that starts inside the hidden start is still hidden: the rule sees the whole series.
    page = await training.ok(PAGE, {"id": workout, "since": (START + dt.timedelta(seconds=10)).isoformat()})
    assert [(s["latitude"], s["longitude"], s["heartRate"]) for s in page["workout"]["samples"]] == [
        (None, None, 101),
        (None, None, 102),
        (None, None, 103),
    ]


async def test_entities_batch_trims_each_owner_with_one_read_of_zones(training: Harness) -> None:
    _zoned, zoned_workouts = await zoned_runner(training, workouts=2)
    unzoned = new_user()
    plain = await create(training, unzoned, visibility="PUBLIC", route=encode_polyline(PATH))
    await training.ok(ADD, {"id": plain["id"], "samples": loop_samples()}, user=unzoned)
    representations = [{"__typename": "Workout", "id": wid} for wid in [*zoned_workouts, plain["id"]]]
    training.counter.reset()
    data = await training.ok(ENTITIES, {"representations": representations}, user=new_user())
    # Loaders batch the bulk path: one read of the zones of both owners, one of the samples.
    assert training.counter.reads("user_privacy") == 1
    assert training.counter.reads("workout_samples") == 1
    first, second, other = data["_entities"]
    assert_hidden_in_zone(first["samples"], route=first["route"])
    assert_hidden_in_zone(second["samples"], route=second["route"])
    assert_complete(other["samples"])  # no zones: nothing to hide


async def test_workout_list_trims_samples_for_others_only(training: Harness) -> None:
    user, workouts = await zoned_runner(training, workouts=2)
    listed = await training.ok(LIST, {"id": user}, user=new_user())
    nodes = [edge["node"] for edge in listed["_entities"][0]["workouts"]["edges"]]
    assert sorted(node["id"] for node in nodes) == sorted(workouts)
    for node in nodes:
        assert_hidden_in_zone(node["samples"])
    own = await training.ok(LIST, {"id": user}, user=user)
    for edge in own["_entities"][0]["workouts"]["edges"]:
        assert_complete(edge["node"]["samples"])


def test_a_track_wholly_inside_a_zone_keeps_no_position() -> None:
    zone = [PrivacyZone(latitude=HOME[0], longitude=HOME[1], radius_m=RADIUS_M)]
    samples = [
        Sample(time=START, latitude=HOME[0], heart_rate=80),  # a lone latitude is hidden too
        Sample(time=START + dt.timedelta(seconds=1), latitude=HOME[0], longitude=HOME[1], altitude_m=30.0),
    ]
    assert visible_span([None, HOME], zone) == (2, 2)  # no position at an end joins the hidden end
    hidden = hide_sample_positions(samples, zone)
    assert [(s.latitude, s.longitude, s.altitude_m, s.heart_rate) for s in hidden] == [
        (None, None, None, 80),
        (None, None, None, None),
    ]
    assert samples[0].latitude == HOME[0]  # the stored samples are not modified
    assert trim_route(encode_polyline([HOME]), zone) is None
