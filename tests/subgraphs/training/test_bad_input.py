"""Absurd values are BAD_USER_INPUT naming the field, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import CREATE, UPDATE, create, run

WORKOUTS = "query($id: ID!) { _entities(representations: [{__typename: \"User\", id: $id}]) { ... on User { workouts(first: 50) { edges { node { id } } } } } }"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"durationS": -5}, "input.durationS"),
        ({"distanceM": -1}, "input.distanceM"),
        ({"distanceM": 10_000_000}, "input.distanceM"),
        ({"avgHeartRate": 251}, "input.avgHeartRate"),
        ({"maxHeartRate": 300}, "input.maxHeartRate"),
        ({"avgHeartRate": 180, "maxHeartRate": 150}, "input.avgHeartRate"),
        ({"endTime": "2024-05-01T06:00:00+00:00"}, "input.endTime"),
        ({"durationS": 4000}, "input.durationS"),
        ({"perceivedEffort": 11}, "input.perceivedEffort"),
        ({"startTime": "2999-01-01T00:00:00+00:00", "endTime": "2999-01-01T01:00:00+00:00"}, "input.startTime"),
        ({"notes": "x" * 5000}, "input.notes"),
        ({"route": "\u00ff\u00ff"}, "input.route"),
        ({"sets": [{"exercise": "squat", "reps": 5, "weightKg": 90}]}, "input.sets"),
        (
            {"laps": [{"startTime": "2024-05-02T07:00:00+00:00", "durationS": 60}]},
            "input.laps[0].startTime",
        ),
        (
            {"pauses": [{"pausedAt": "2024-05-01T07:20:00+00:00", "resumedAt": "2024-05-01T07:10:00+00:00"}]},
            "input.pauses[0].resumedAt",
        ),
        ({"sport": "STRENGTH", "sets": [{"exercise": "squat", "reps": 5, "weightKg": 2000}]}, "input.sets[0].weightKg"),
        ({"device": ""}, "input.device"),
    ],
)
async def test_bad_workout_values_are_rejected_and_nothing_written(
    training: Harness, overrides: dict[str, Any], field: str
) -> None:
    user = new_user()
    error = await training.error(CREATE, {"input": run(**overrides)}, user=user)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    listed = await training.ok(WORKOUTS, {"id": user}, user=user)
    assert listed["_entities"][0]["workouts"]["edges"] == []
    assert await training.events(user) == []


async def test_end_or_duration_is_required(training: Harness) -> None:
    error = await training.error(
        CREATE, {"input": {"sport": "RUN", "startTime": "2024-05-01T07:00:00+00:00"}}, user=new_user()
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.endTime"}


async def test_duration_alone_derives_end(training: Harness) -> None:
    data = await training.ok(
        CREATE,
        {"input": {"sport": "RIDE", "startTime": "2024-05-01T07:00:00+00:00", "durationS": 3600}},
        user=new_user(),
    )
    assert data["createWorkout"]["endTime"].startswith("2024-05-01T08:00:00")


async def test_bad_update_leaves_workout_unchanged(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user)
    error = await training.error(
        UPDATE, {"id": workout["id"], "version": 1, "input": {"endTime": "2024-05-01T06:00:00+00:00"}}, user=user
    )
    assert error["extensions"]["field"] == "input.endTime"
    error = await training.error(UPDATE, {"id": workout["id"], "version": 1, "input": {"sport": None}}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.sport"}
    again = await training.ok(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "ok"}}, user=user)
    assert again["updateWorkout"]["version"] == 2


async def test_graphql_type_errors_are_bad_user_input(training: Harness) -> None:
    error = await training.error(CREATE, {"input": {"sport": "SKYDIVE", "startTime": "x"}}, user=new_user())
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
