"""Workout CRUD over HTTP: ownership, visibility, optimistic concurrency, bad input, events."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.training.harness import Harness, new_user

CREATE = """
mutation($input: WorkoutInput!, $id: ID) {
  createWorkout(input: $input, id: $id) {
    id version sport startTime endTime durationS distanceM visibility source deleted
    avgPaceSPerKm owner { id } sets { exercise reps weightKg }
  }
}
"""
UPDATE = """
mutation($id: ID!, $version: Int!, $input: WorkoutPatch!) {
  updateWorkout(id: $id, version: $version, input: $input) { id version notes distanceM durationS endTime }
}
"""
DELETE = "mutation($id: ID!, $version: Int) { deleteWorkout(id: $id, version: $version) { id version deleted } }"
GET = "query($id: ID!) { workout(id: $id) { id notes visibility version } }"


def run(**overrides: Any) -> dict[str, Any]:
    return {
        "sport": "RUN",
        "startTime": "2024-05-01T07:00:00+00:00",
        "endTime": "2024-05-01T07:50:00+00:00",
        "distanceM": 10000.0,
        **overrides,
    }


async def create(training: Harness, user: str, **overrides: Any) -> dict[str, Any]:
    data = await training.ok(CREATE, {"input": run(**overrides)}, user=user)
    workout: dict[str, Any] = data["createWorkout"]
    return workout


async def test_create_sets_owner_defaults_and_derived_values(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user)
    assert workout["owner"] == {"id": user}
    assert workout["version"] == 1
    assert workout["visibility"] == "PRIVATE"
    assert workout["source"] == "MANUAL"
    assert workout["durationS"] == 3000.0
    assert workout["avgPaceSPerKm"] == 300.0
    assert workout["deleted"] is False


async def test_create_requires_authentication(training: Harness) -> None:
    error = await training.error(CREATE, {"input": run()})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_invalid_token_is_rejected(training: Harness) -> None:
    error = await training.error(GET, {"id": "x"}, token="not-a-jwt")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_private_workout_visible_to_owner_and_admin_only(training: Harness) -> None:
    owner, stranger = new_user(), new_user()
    workout = await create(training, owner, notes="secret")
    mine = await training.ok(GET, {"id": workout["id"]}, user=owner)
    assert mine["workout"]["notes"] == "secret"
    assert (await training.ok(GET, {"id": workout["id"]}, user=stranger))["workout"] is None
    assert (await training.ok(GET, {"id": workout["id"]}))["workout"] is None
    admin = await training.ok(GET, {"id": workout["id"]}, user=new_user(), roles=("admin",))
    assert admin["workout"]["id"] == workout["id"]


async def test_followers_visibility_means_owner_only_until_social(training: Harness) -> None:
    owner = new_user()
    workout = await create(training, owner, visibility="FOLLOWERS")
    assert (await training.ok(GET, {"id": workout["id"]}, user=new_user()))["workout"] is None
    assert (await training.ok(GET, {"id": workout["id"]}, user=owner))["workout"]["visibility"] == "FOLLOWERS"


async def test_public_workout_visible_to_anyone(training: Harness) -> None:
    workout = await create(training, new_user(), visibility="PUBLIC")
    assert (await training.ok(GET, {"id": workout["id"]}))["workout"]["id"] == workout["id"]


async def test_update_with_current_version_bumps_version(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user)
    data = await training.ok(
        UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "felt good", "distanceM": 10500}}, user=user
    )
    assert data["updateWorkout"]["version"] == 2
    assert data["updateWorkout"]["notes"] == "felt good"
    assert data["updateWorkout"]["distanceM"] == 10500
    # Fields not in the patch are kept.
    assert data["updateWorkout"]["durationS"] == 3000.0


async def test_update_that_changes_nothing_keeps_the_version(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user, notes="same")
    data = await training.ok(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "same"}}, user=user)
    assert data["updateWorkout"]["version"] == 1
    assert await training.events(user, kinds=("workout.updated",)) == []


async def test_update_with_stale_version_is_a_conflict(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user)
    await training.ok(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "first"}}, user=user)
    error = await training.error(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "late"}}, user=user)
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["currentVersion"] == 2
    current = await training.ok(GET, {"id": workout["id"]}, user=user)
    assert current["workout"]["notes"] == "first"


async def test_only_owner_may_update_or_delete(training: Harness) -> None:
    owner, other = new_user(), new_user()
    workout = await create(training, owner, visibility="PUBLIC")
    error = await training.error(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "x"}}, user=other)
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await training.error(DELETE, {"id": workout["id"]}, user=other)
    assert error["extensions"]["code"] == "FORBIDDEN"
    # A private workout of someone else does not even exist for the caller.
    private = await create(training, owner)
    error = await training.error(DELETE, {"id": private["id"]}, user=other)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_delete_is_soft_and_hides_the_workout(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user)
    data = await training.ok(DELETE, {"id": workout["id"], "version": 1}, user=user)
    assert data["deleteWorkout"] == {"id": workout["id"], "version": 2, "deleted": True}
    assert (await training.ok(GET, {"id": workout["id"]}, user=user))["workout"] is None
    error = await training.error(DELETE, {"id": workout["id"]}, user=user)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_client_generated_id_is_kept_and_unique(training: Harness) -> None:
    user = new_user()
    client_id = new_user()
    data = await training.ok(CREATE, {"input": run(), "id": client_id}, user=user)
    assert data["createWorkout"]["id"] == client_id
    error = await training.error(CREATE, {"input": run(), "id": client_id}, user=user)
    assert error["extensions"]["code"] == "CONFLICT"


async def test_admin_token_without_write_scope_cannot_create(training: Harness) -> None:
    error = await training.error(CREATE, {"input": run()}, user=new_user(), roles=("admin",))
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_strength_sets_are_stored(training: Harness) -> None:
    sets = [{"exercise": "Squat", "reps": 5, "weightKg": 120.0}]
    workout = await create(training, new_user(), sport="STRENGTH", distanceM=None, sets=sets)
    assert workout["sets"] == [{"exercise": "Squat", "reps": 5, "weightKg": 120.0}]


async def test_each_change_publishes_exactly_one_event(training: Harness) -> None:
    user = new_user()
    workout = await create(training, user)
    await training.ok(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "n"}}, user=user)
    await training.error(UPDATE, {"id": workout["id"], "version": 1, "input": {"notes": "stale"}}, user=user)
    await training.ok(DELETE, {"id": workout["id"]}, user=user)
    events = await training.events(user, kinds=("workout.created", "workout.updated", "workout.deleted"))
    assert [(e.type, e.data["version"]) for e in events] == [
        ("workout.created", 1),
        ("workout.updated", 2),
        ("workout.deleted", 3),
    ]
    assert all(e.data["workoutId"] == workout["id"] for e in events)
    assert len({e.id for e in events}) == 3
