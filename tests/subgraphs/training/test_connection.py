"""User.workouts: cursor pagination, filters, visibility, and loader batching."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.subgraphs.training.harness import Harness, new_user
from tests.subgraphs.training.test_workouts import DELETE, create

PAGE = """
query($reps: [_Any!]!, $first: Int!, $after: String, $filter: WorkoutFilter) {
  _entities(representations: $reps) {
    ... on User {
      id
      workouts(first: $first, after: $after, filter: $filter) {
        edges { cursor node { id startTime sport visibility } }
        nodes { id }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""


def at(day: int, hour: int = 7) -> str:
    return dt.datetime(2024, 3, day, hour, tzinfo=dt.UTC).isoformat()


def reps(*users: str) -> list[dict[str, str]]:
    return [{"__typename": "User", "id": user} for user in users]


async def page(training: Harness, owner: str, viewer: str | None, **variables: Any) -> dict[str, Any]:
    data = await training.ok(PAGE, {"reps": reps(owner), "first": 20, **variables}, user=viewer)
    connection: dict[str, Any] = data["_entities"][0]["workouts"]
    return connection


async def test_pages_are_newest_first_and_complete(training: Harness) -> None:
    user = new_user()
    ids = [(await create(training, user, startTime=at(day), endTime=at(day, 8)))["id"] for day in range(1, 8)]
    seen: list[str] = []
    after = None
    while True:
        connection = await page(training, user, user, first=3, after=after)
        seen.extend(edge["node"]["id"] for edge in connection["edges"])
        assert connection["nodes"] == [{"id": edge["node"]["id"]} for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))


async def test_pagination_is_stable_while_data_changes(training: Harness) -> None:
    user = new_user()
    created = [(await create(training, user, startTime=at(day), endTime=at(day, 8)))["id"] for day in range(1, 7)]
    first = await page(training, user, user, first=2)
    assert [e["node"]["id"] for e in first["edges"]] == [created[5], created[4]]
    # A newer workout arrives and an already-seen one is deleted between pages.
    await create(training, user, startTime=at(20), endTime=at(20, 8))
    await training.ok(DELETE, {"id": created[5]}, user=user)
    second = await page(training, user, user, first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in second["edges"]] == [created[3], created[2]]
    # Deleting the next unseen row just skips it; nothing is repeated or lost otherwise.
    await training.ok(DELETE, {"id": created[1]}, user=user)
    third = await page(training, user, user, first=2, after=second["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in third["edges"]] == [created[0]]
    assert third["pageInfo"]["hasNextPage"] is False


async def test_pagination_over_many_workouts_at_the_same_instant(training: Harness) -> None:
    user = new_user()
    # More rows share one start time than the store over-fetches for ties, plus older rows.
    tied = {(await create(training, user, startTime=at(5), endTime=at(5, 8)))["id"] for _ in range(11)}
    older = [(await create(training, user, startTime=at(day), endTime=at(day, 8)))["id"] for day in (3, 2)]
    seen: list[str] = []
    after = None
    for _ in range(20):
        connection = await page(training, user, user, first=2, after=after)
        seen.extend(edge["node"]["id"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 13
    assert set(seen[:11]) == tied
    assert seen[11:] == older


async def test_filter_by_sport_and_time(training: Harness) -> None:
    user = new_user()
    await create(training, user, startTime=at(1), endTime=at(1, 8))
    ride = await create(training, user, sport="RIDE", startTime=at(2), endTime=at(2, 9))
    late_run = await create(training, user, startTime=at(10), endTime=at(10, 8))
    rides = await page(training, user, user, filter={"sport": "RIDE"})
    assert [e["node"]["id"] for e in rides["edges"]] == [ride["id"]]
    window = await page(training, user, user, filter={"from": at(2), "to": at(11)})
    assert [e["node"]["id"] for e in window["edges"]] == [late_run["id"], ride["id"]]


async def test_others_see_only_public_workouts(training: Harness) -> None:
    owner = new_user()
    public = await create(training, owner, visibility="PUBLIC", startTime=at(1), endTime=at(1, 8))
    await create(training, owner, visibility="PRIVATE", startTime=at(2), endTime=at(2, 8))
    await create(training, owner, visibility="FOLLOWERS", startTime=at(3), endTime=at(3, 8))
    assert len((await page(training, owner, owner))["edges"]) == 3
    for viewer in (new_user(), None):
        connection = await page(training, owner, viewer)
        assert [e["node"]["id"] for e in connection["edges"]] == [public["id"]]


async def test_many_users_workouts_load_in_one_store_query(training: Harness) -> None:
    users = [new_user() for _ in range(5)]
    for index, user in enumerate(users):
        for day in range(1, index + 3):
            await create(training, user, visibility="PUBLIC", startTime=at(day), endTime=at(day, 8))
    training.counter.reset()
    data = await training.ok(PAGE, {"reps": reps(*users), "first": 2}, user=new_user())
    assert training.counter.reads("workouts") == 1
    for index, entity in enumerate(data["_entities"]):
        assert entity["id"] == users[index]
        connection = entity["workouts"]
        assert len(connection["edges"]) == 2
        assert connection["pageInfo"]["hasNextPage"] is (index + 2 > 2)
        starts = [e["node"]["startTime"] for e in connection["edges"]]
        assert starts == sorted(starts, reverse=True)


async def test_bad_page_arguments(training: Harness) -> None:
    user = new_user()
    error = await training.error(PAGE, {"reps": reps(user), "first": 1000}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    error = await training.error(PAGE, {"reps": reps(user), "first": 5, "after": "garbage!"}, user=user)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    error = await training.error(
        PAGE, {"reps": reps(user), "first": 5, "filter": {"from": at(5), "to": at(1)}}, user=user
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.to"}


async def test_workout_entity_reference_respects_visibility(training: Harness) -> None:
    owner = new_user()
    private = await create(training, owner)
    public = await create(training, owner, visibility="PUBLIC")
    query = "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Workout { id owner { id } } } }"
    variables = {"reps": [{"__typename": "Workout", "id": private["id"]}, {"__typename": "Workout", "id": public["id"]}]}
    training.counter.reset()
    data = await training.ok(query, variables, user=new_user())
    assert data["_entities"] == [None, {"id": public["id"], "owner": {"id": owner}}]
    assert training.counter.reads("workouts") == 1
