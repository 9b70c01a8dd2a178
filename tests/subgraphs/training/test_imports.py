"""GPX / TCX / FIT import: jobs, parsed workouts with samples and route, no duplicates."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from typing import Any

from tests.subgraphs.training.fit_writer import FitPoint, write_fit
from tests.subgraphs.training.harness import Harness, new_user

IMPORT = """
mutation($name: String!, $content: String!, $wait: Boolean! = true, $sport: Sport) {
  importWorkoutFile(fileName: $name, contentBase64: $content, wait: $wait, sport: $sport) {
    id status progress error
    workout { id sport source startTime endTime distanceM avgHeartRate maxHeartRate sampleCount route calories }
  }
}
"""
JOB = "query($id: ID!) { importJob(id: $id) { id status progress workout { id } } }"
T0 = dt.datetime(2024, 7, 1, 6, 0, tzinfo=dt.UTC)


def gpx(points: int = 60, *, hr: int = 150, kind: str = "running") -> bytes:
    rows = "".join(
        f'<trkpt lat="{52.52 + i * 0.0005:.6f}" lon="13.405"><ele>{30 + i % 4}</ele>'
        f"<time>{(T0 + dt.timedelta(seconds=i * 5)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
        f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr + i % 10}</gpxtpx:hr>"
        f"</gpxtpx:TrackPointExtension></extensions></trkpt>"
        for i in range(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gpx version="1.1" creator="Garmin Forerunner" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>{kind}</type><trkseg>{rows}</trkseg></trk></gpx>"
    ).encode()


def tcx(points: int = 40) -> bytes:
    rows = "".join(
        f"<Trackpoint><Time>{(T0 + dt.timedelta(seconds=i * 10)).strftime('%Y-%m-%dT%H:%M:%SZ')}</Time>"
        f"<Position><LatitudeDegrees>{48.1 + i * 0.0004:.6f}</LatitudeDegrees><LongitudeDegrees>11.5</LongitudeDegrees></Position>"
        f"<AltitudeMeters>500</AltitudeMeters><DistanceMeters>{i * 45.0}</DistanceMeters>"
        f"<HeartRateBpm><Value>{130 + i % 20}</Value></HeartRateBpm></Trackpoint>"
        for i in range(points)
    )
    start = T0.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="Biking"><Id>{start}</Id><Lap StartTime="{start}">'
        "<TotalTimeSeconds>390</TotalTimeSeconds><DistanceMeters>1755</DistanceMeters><Calories>80</Calories>"
        f"<Track>{rows}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def upload(training: Harness, user: str, name: str, data: bytes, **extra: Any) -> dict[str, Any]:
    result = await training.ok(IMPORT, {"name": name, "content": b64(data), **extra}, user=user)
    job: dict[str, Any] = result["importWorkoutFile"]
    return job


async def test_gpx_import_creates_workout_with_samples_and_route(training: Harness) -> None:
    user = new_user()
    job = await upload(training, user, "morning.gpx", gpx())
    assert (job["status"], job["progress"], job["error"]) == ("SUCCEEDED", 1.0, None)
    workout = job["workout"]
    assert workout["sport"] == "RUN"
    assert workout["source"] == "IMPORT"
    assert workout["sampleCount"] == 60
    assert workout["startTime"].startswith("2024-07-01T06:00:00")
    assert workout["endTime"].startswith("2024-07-01T06:04:55")
    assert 3200 < workout["distanceM"] < 3300  # 59 steps of ~55.6 m
    assert (workout["avgHeartRate"], workout["maxHeartRate"]) == (154, 159)
    assert workout["route"]


async def test_reuploading_the_same_file_creates_nothing(training: Harness) -> None:
    user = new_user()
    data = gpx(30, hr=120)
    first = await upload(training, user, "a.gpx", data)
    second = await upload(training, user, "renamed.gpx", data)
    assert second["id"] == first["id"]
    assert second["workout"]["id"] == first["workout"]["id"]
    assert len(await training.events(user, kinds=("workout.created",))) == 1
    # Another user uploading the same file gets their own workout.
    other = await upload(training, new_user(), "a.gpx", data)
    assert other["workout"]["id"] != first["workout"]["id"]


async def test_tcx_import(training: Harness) -> None:
    job = await upload(training, new_user(), "ride.tcx", tcx())
    assert job["status"] == "SUCCEEDED", job
    workout = job["workout"]
    assert workout["sport"] == "RIDE"
    assert workout["distanceM"] == 1755.0
    assert workout["calories"] == 80.0
    assert workout["sampleCount"] == 40


async def test_fit_import(training: Harness) -> None:
    points = [
        FitPoint(T0 + dt.timedelta(seconds=i * 5), 40.0 + i * 0.0002, -3.7, 140 + i % 15, i * 16.0) for i in range(120)
    ]
    job = await upload(training, new_user(), "activity.fit", write_fit(points))
    assert job["status"] == "SUCCEEDED", job
    workout = job["workout"]
    assert workout["sport"] == "RUN"
    assert workout["distanceM"] == 1904.0
    assert workout["maxHeartRate"] == 154
    assert workout["sampleCount"] == 120
    assert workout["calories"] == 500.0


async def test_unparseable_file_fails_the_job(training: Harness) -> None:
    user = new_user()
    job = await upload(training, user, "broken.gpx", b"<gpx><trk><trkseg><trkpt lat=")
    assert job["status"] == "FAILED"
    assert "could not be parsed" in job["error"]
    assert job["workout"] is None
    job = await upload(training, user, "notes.txt", b"hello")
    assert (job["status"], job["error"]) == ("FAILED", "not a GPX, TCX or FIT file")
    assert await training.events(user) == []


async def test_bad_upload_input(training: Harness) -> None:
    user = new_user()
    error = await training.error(IMPORT, {"name": "a.gpx", "content": "***"}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "contentBase64"}
    error = await training.error(IMPORT, {"name": "a.gpx", "content": ""}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "content"}
    error = await training.error(IMPORT, {"name": " ", "content": b64(gpx())}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "fileName"}
    error = await training.error(IMPORT, {"name": "a.gpx", "content": b64(gpx())})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_job_runs_in_background_and_is_private(training: Harness) -> None:
    user = new_user()
    job = await upload(training, user, "later.gpx", gpx(20, hr=110), wait=False)
    assert job["status"] in ("PENDING", "RUNNING", "SUCCEEDED")
    status = job["status"]
    for _ in range(500):
        found = (await training.ok(JOB, {"id": job["id"]}, user=user))["importJob"]
        status = found["status"]
        if status in ("SUCCEEDED", "FAILED"):
            break
        await asyncio.sleep(0.01)
    assert status == "SUCCEEDED"
    assert found["workout"] is not None
    assert (await training.ok(JOB, {"id": job["id"]}, user=new_user()))["importJob"] is None


async def test_xml_entity_bomb_fails_the_job_instead_of_exhausting_memory(training: Harness) -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE gpx [{entities}]><gpx version="1.1"><trk><name>&l9;</name></trk></gpx>'
    job = await upload(training, new_user(), "bomb.gpx", bomb.encode())
    assert job["status"] == "FAILED"
    assert job["workout"] is None


async def test_file_with_absurd_values_fails_with_the_reason(training: Harness) -> None:
    future = gpx(10).replace(b"2024-07-01", b"2999-07-01")
    job = await upload(training, new_user(), "future.gpx", future)
    assert (job["status"], job["error"]) == ("FAILED", "startTime is in the future")


async def test_fit_file_with_a_bad_checksum_fails(training: Harness) -> None:
    points = [FitPoint(T0 + dt.timedelta(seconds=i), 40.0, -3.7, 120, float(i)) for i in range(5)]
    data = bytearray(write_fit(points))
    data[-1] ^= 0xFF  # corrupt the file CRC
    job = await upload(training, new_user(), "corrupt.fit", bytes(data))
    assert (job["status"], job["error"]) == ("FAILED", "the FIT file could not be parsed")
