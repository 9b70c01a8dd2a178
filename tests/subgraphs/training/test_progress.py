"""Weekly goals, training plans and privacy zones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from subgraphs.training.privacy import decode_polyline, encode_polyline
from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import create

GOALS = """
mutation($goals: [GoalInput!]!) { setGoals(goals: $goals) { kind target sport } }
"""
USER = """
query($id: ID!, $at: DateTime) {
  _entities(representations: [{__typename: "User", id: $id}]) {
    ... on User {
      goals { kind target sport progress(at: $at) { value target percent achieved periodStart } }
      activePlan {
        name active startDate
        weeks { index sessions { day sport date completedBy } }
        progress { completedSessions totalSessions percent }
      }
    }
  }
}
"""
START_PLAN = "mutation($input: PlanInput!) { startPlan(input: $input) { id name active } }"
ZONES = "mutation($zones: [PrivacyZoneInput!]!) { setPrivacyZones(zones: $zones) { latitude longitude radiusM } }"
ROUTE = "query($id: ID!) { workout(id: $id) { route } }"

MONDAY = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)  # a Monday


def on(days: float, hours: float = 1) -> dict[str, str]:
    start = MONDAY + dt.timedelta(days=days, hours=6)
    return {"startTime": start.isoformat(), "endTime": (start + dt.timedelta(hours=hours)).isoformat()}


async def user_view(training: Harness, user: str, viewer: str | None = None, at: str | None = None) -> dict[str, Any]:
    data = await training.ok(USER, {"id": user, "at": at}, user=viewer or user)
    entity: dict[str, Any] = data["_entities"][0]
    return entity


async def test_weekly_goals_track_progress(training: Harness) -> None:
    user = new_user()
    goals = [
        {"kind": "WEEKLY_DISTANCE", "target": 20_000.0, "sport": "RUN"},
        {"kind": "WEEKLY_DURATION", "target": 7_200.0},
    ]
    saved = await training.ok(GOALS, {"goals": goals}, user=user)
    assert [g["kind"] for g in saved["setGoals"]] == ["WEEKLY_DISTANCE", "WEEKLY_DURATION"]
    await create(training, user, distanceM=12_000.0, **on(0))
    await create(training, user, sport="RIDE", distanceM=30_000.0, **on(2))
    await create(training, user, distanceM=9_000.0, **on(8))  # next week
    view = await user_view(training, user, at=(MONDAY + dt.timedelta(days=3)).isoformat())
    by_kind = {g["kind"]: g["progress"] for g in view["goals"]}
    assert by_kind["WEEKLY_DISTANCE"] == {
        "value": 12_000.0,
        "target": 20_000.0,
        "percent": 60.0,
        "achieved": False,
        "periodStart": MONDAY.isoformat(),
    }
    assert by_kind["WEEKLY_DURATION"]["value"] == 7_200.0
    assert by_kind["WEEKLY_DURATION"]["achieved"] is True
    # setGoals replaces the whole set.
    await training.ok(GOALS, {"goals": goals[:1]}, user=user)
    assert [g["kind"] for g in (await user_view(training, user))["goals"]] == ["WEEKLY_DISTANCE"]
    assert (await user_view(training, user, viewer=new_user()))["goals"] == []


async def test_bad_goals(training: Harness) -> None:
    user = new_user()
    error = await training.error(GOALS, {"goals": [{"kind": "WEEKLY_DISTANCE", "target": -5}]}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "goals[0].target"}
    twice = [{"kind": "WEEKLY_DURATION", "target": 100}, {"kind": "WEEKLY_DURATION", "target": 200}]
    error = await training.error(GOALS, {"goals": twice}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "goals"}


def plan(name: str = "10K plan") -> dict[str, Any]:
    return {
        "name": name,
        "startDate": MONDAY.date().isoformat(),
        "weeks": [
            {"sessions": [{"day": 0, "sport": "RUN", "distanceM": 5000}, {"day": 2, "sport": "RIDE"}]},
            {"sessions": [{"day": 1, "sport": "RUN", "durationS": 1800}]},
        ],
    }


async def test_plan_progress_and_single_active_plan(training: Harness) -> None:
    user = new_user()
    first = await training.ok(START_PLAN, {"input": plan("old")}, user=user)
    second = await training.ok(START_PLAN, {"input": plan()}, user=user)
    assert first["startPlan"]["id"] != second["startPlan"]["id"]
    done_run = await create(training, user, **on(0))
    await create(training, user, sport="SWIM", distanceM=1000.0, **on(2))  # wrong sport for day 2
    view = await user_view(training, user)
    active = view["activePlan"]
    assert active["name"] == "10K plan"
    assert active["progress"] == {"completedSessions": 1, "totalSessions": 3, "percent": 33.3}
    sessions = [s for week in active["weeks"] for s in week["sessions"]]
    assert [(s["date"], s["completedBy"]) for s in sessions] == [
        ("2024-04-01", done_run["id"]),
        ("2024-04-03", None),
        ("2024-04-09", None),
    ]
    stopped = await training.ok("mutation { stopPlan }", user=user)
    assert stopped == {"stopPlan": True}
    assert (await user_view(training, user))["activePlan"] is None
    assert await training.ok("mutation { stopPlan }", user=user) == {"stopPlan": False}


async def test_bad_plan(training: Harness) -> None:
    bad = plan()
    bad["weeks"][1]["sessions"][0]["day"] = 7
    error = await training.error(START_PLAN, {"input": bad}, user=new_user())
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.weeks[1].sessions[0].day"}
    error = await training.error(START_PLAN, {"input": {**plan(), "weeks": []}}, user=new_user())
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.weeks"}


async def test_privacy_zones_trim_routes_for_others(training: Harness) -> None:
    user = new_user()
    home = (52.5200, 13.4050)
    # 20 points heading north from home, ~111 m apart.
    points = [(round(home[0] + i * 0.001, 5), home[1]) for i in range(20)]
    workout = await create(training, user, visibility="PUBLIC", route=encode_polyline(points))
    zones = await training.ok(ZONES, {"zones": [{"latitude": home[0], "longitude": home[1], "radiusM": 300}]}, user=user)
    assert zones["setPrivacyZones"][0]["radiusM"] == 300
    own = await training.ok(ROUTE, {"id": workout["id"]}, user=user)
    assert decode_polyline(own["workout"]["route"]) == points
    public = await training.ok(ROUTE, {"id": workout["id"]})
    trimmed = decode_polyline(public["workout"]["route"])
    assert trimmed == points[3:]
    admin = await training.ok(ROUTE, {"id": workout["id"]}, user=new_user(), roles=("admin",))
    assert decode_polyline(admin["workout"]["route"]) == points
    error = await training.error(
        "query($id: ID!) { _entities(representations: [{__typename: \"User\", id: $id}]) { ... on User { privacyZones { radiusM } } } }",
        {"id": user},
        user=new_user(),
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await training.error(ZONES, {"zones": [{"latitude": 91, "longitude": 0, "radiusM": 100}]}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "zones[0].latitude"}
