"""Offline sync: idempotent batches, conflicts that lose nothing, changes since a cursor."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import UPDATE, create, run

SYNC = """
mutation($changes: [WorkoutChangeInput!]!, $since: String, $limit: Int! = 200) {
  syncWorkouts(changes: $changes, since: $since, limit: $limit) {
    results { id status version reason }
    conflicts { id serverVersion server { id version notes } clientChange }
    changes { id version deleted notes clientVersion }
    cursor
    hasMore
  }
}
"""


def upsert(workout_id: str, client_version: int, base: int | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "id": workout_id,
        "operation": "UPSERT",
        "clientVersion": client_version,
        "baseVersion": base,
        "workout": run(**overrides),
    }


def delete(workout_id: str, client_version: int, base: int | None) -> dict[str, Any]:
    return {"id": workout_id, "operation": "DELETE", "clientVersion": client_version, "baseVersion": base}


async def sync(training: Harness, user: str, changes: list[dict[str, Any]], since: str | None = None, **extra: Any) -> dict[str, Any]:
    data = await training.ok(SYNC, {"changes": changes, "since": since, **extra}, user=user)
    result: dict[str, Any] = data["syncWorkouts"]
    return result


async def test_replaying_a_batch_changes_nothing(training: Harness) -> None:
    user = new_user()
    a, b = new_user(), new_user()
    batch = [upsert(a, 1, notes="a"), upsert(b, 1, notes="b")]
    first = await sync(training, user, batch)
    assert [(r["id"], r["status"], r["version"]) for r in first["results"]] == [
        (a, "APPLIED", 1),
        (b, "APPLIED", 1),
    ]
    assert {c["id"] for c in first["changes"]} == {a, b}
    replay = await sync(training, user, batch, since=first["cursor"])
    assert [r["status"] for r in replay["results"]] == ["UNCHANGED", "UNCHANGED"]
    assert replay["changes"] == []
    assert replay["cursor"] == first["cursor"]
    events = await training.events(user, kinds=("workout.created", "workout.updated"))
    assert len(events) == 2


async def test_edit_and_delete_based_on_current_version_apply(training: Harness) -> None:
    user, a = new_user(), new_user()
    first = await sync(training, user, [upsert(a, 1, notes="v1")])
    second = await sync(training, user, [upsert(a, 2, base=1, notes="v2")], since=first["cursor"])
    assert second["results"][0] == {"id": a, "status": "APPLIED", "version": 2, "reason": None}
    assert second["changes"] == [{"id": a, "version": 2, "deleted": False, "notes": "v2", "clientVersion": 2}]
    third = await sync(training, user, [delete(a, 3, base=2)], since=second["cursor"])
    assert third["results"][0]["status"] == "APPLIED"
    assert third["changes"] == [{"id": a, "version": 3, "deleted": True, "notes": "v2", "clientVersion": 3}]
    kinds = [e.type for e in await training.events(user, kinds=("workout.created", "workout.updated", "workout.deleted"))]
    assert kinds == ["workout.created", "workout.updated", "workout.deleted"]


async def test_conflict_keeps_server_copy_and_client_change(training: Harness, mongodb_url: str) -> None:
    user, a = new_user(), new_user()
    first = await sync(training, user, [upsert(a, 1, notes="phone v1")])
    # The web app edits the workout meanwhile.
    await training.ok(UPDATE, {"id": a, "version": 1, "input": {"notes": "web edit"}}, user=user)
    offline = await sync(training, user, [upsert(a, 2, base=1, notes="phone edit")], since=first["cursor"])
    assert offline["results"][0]["status"] == "CONFLICT"
    conflict = offline["conflicts"][0]
    assert conflict["serverVersion"] == 2
    assert conflict["server"]["notes"] == "web edit"
    assert conflict["clientChange"]["notes"] == "phone edit"
    # The server change since the cursor is reported too.
    assert [(c["id"], c["notes"]) for c in offline["changes"]] == [(a, "web edit")]
    # Replaying the conflicting batch reports it again but stores it once.
    again = await sync(training, user, [upsert(a, 2, base=1, notes="phone edit")], since=offline["cursor"])
    assert again["results"][0]["status"] == "CONFLICT"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        stored = await client[training.settings.mongodb_database]["sync_conflicts"].find({"workout_id": a}).to_list()
    finally:
        await client.close()
    assert [(row["change"]["notes"], row["server_version"]) for row in stored] == [("phone edit", 2)]
    # The client resolves by editing on top of the server version.
    resolved = await sync(training, user, [upsert(a, 3, base=2, notes="merged")], since=again["cursor"])
    assert resolved["results"][0]["status"] == "APPLIED"
    assert resolved["changes"][0]["notes"] == "merged"


async def test_deleting_what_is_already_deleted_changes_nothing(training: Harness) -> None:
    user, a = new_user(), new_user()
    first = await sync(training, user, [upsert(a, 1)])
    # The web app deletes it; the phone, offline, deletes it too.
    await training.ok("mutation($id: ID!) { deleteWorkout(id: $id) { id } }", {"id": a}, user=user)
    phone = await sync(training, user, [delete(a, 2, base=2)], since=first["cursor"])
    assert phone["results"][0]["status"] == "UNCHANGED"
    assert [(c["id"], c["deleted"], c["version"]) for c in phone["changes"]] == [(a, True, 2)]
    assert len(await training.events(user, kinds=("workout.deleted",))) == 1


async def test_lost_acknowledgement_then_further_edit_applies(training: Harness) -> None:
    user, a = new_user(), new_user()
    await sync(training, user, [upsert(a, 1, notes="created offline")])
    # The client never saw the answer and sends its next edit still without a base version.
    later = await sync(training, user, [upsert(a, 2, notes="edited offline")])
    assert later["results"][0]["status"] == "APPLIED"
    assert later["results"][0]["version"] == 2


async def test_changes_since_cursor_include_deletions_and_page(training: Harness) -> None:
    user = new_user()
    start = await sync(training, user, [])
    assert start["changes"] == []
    made = [await create(training, user, notes=f"w{index}") for index in range(3)]
    await training.ok("mutation($id: ID!) { deleteWorkout(id: $id) { id } }", {"id": made[0]["id"]}, user=user)
    page = await sync(training, user, [], since=start["cursor"], limit=2)
    assert page["hasMore"] is True
    assert [c["id"] for c in page["changes"]] == [made[1]["id"], made[2]["id"]]
    rest = await sync(training, user, [], since=page["cursor"], limit=2)
    assert rest["hasMore"] is False
    assert rest["changes"] == [
        {"id": made[0]["id"], "version": 2, "deleted": True, "notes": "w0", "clientVersion": None}
    ]


async def test_another_users_id_is_rejected(training: Harness) -> None:
    owner, intruder = new_user(), new_user()
    workout = await create(training, owner, notes="mine", clientVersion=1)
    result = await sync(training, intruder, [upsert(workout["id"], 5, base=1, notes="stolen")])
    assert result["results"][0]["status"] == "REJECTED"
    assert result["changes"] == []


async def test_bad_batch_writes_nothing(training: Harness) -> None:
    user, good, bad = new_user(), new_user(), new_user()
    batch = [upsert(good, 1), upsert(bad, 1, avgHeartRate=300)]
    error = await training.error(SYNC, {"changes": batch}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "changes[1].workout.avgHeartRate"}
    result = await sync(training, user, [])
    assert result["changes"] == []
    for changes, field in (
        ([upsert(good, 0)], "changes[0].clientVersion"),
        ([upsert(good, 1), upsert(good, 2)], "changes[1].id"),
        ([{"id": good, "operation": "UPSERT", "clientVersion": 1}], "changes[0].workout"),
    ):
        error = await training.error(SYNC, {"changes": changes}, user=user)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    error = await training.error(SYNC, {"changes": [], "since": "nope"}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "since"}


async def test_sync_requires_authentication(training: Harness) -> None:
    error = await training.error(SYNC, {"changes": []})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
