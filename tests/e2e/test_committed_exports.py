"""The committed BI exports (schema/exports/) end to end: the router as router.yaml configures
it, in front of the real users (PostgreSQL) and training (MongoDB wire) subgraphs. Each export
pages through its connection within the subgraph's page limit and streams every row."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import orjson

from tests.router.attacks.stack import FitGraphStack

JSON = {"content-type": "application/json"}
CREATE = "mutation($input: WorkoutInput!) { createWorkout(input: $input) { id } }"
REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { user { id } } }"


async def _create_workouts(router: httpx.AsyncClient, token: str, count: int) -> set[str]:
    created: set[str] = set()
    for day in range(count):
        workout = {
            "sport": "RUN",
            "startTime": f"2026-03-{day + 1:02d}T07:00:00+00:00",
            "durationS": 1800 + day,
            "distanceM": 5000 + day,
        }
        response = await router.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": workout}},
            headers={**JSON, "authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert "errors" not in body, body
        created.add(body["data"]["createWorkout"]["id"])
    return created


async def _register(router: httpx.AsyncClient) -> str:
    """A new account through the router; its id."""
    account = {
        "email": f"bi-{uuid.uuid4().hex[:12]}@example.test",
        "password": "Export-test-password-1",
        "displayName": "Export Tester",
        "region": "EU",
    }
    response = await router.post(
        "/graphql", json={"query": REGISTER, "variables": {"input": account}}, headers=JSON
    )
    body = response.json()
    assert "errors" not in body, body
    user_id: str = body["data"]["register"]["user"]["id"]
    return user_id


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_my_workouts_export_pages_through_every_workout(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    owner = await _register(router)
    created = await _create_workouts(router, stack.issuer().issue(owner, roles=["user"]), count=5)
    bi_token = stack.issuer().issue(owner, roles=["bi"])
    headers = {"authorization": f"Bearer {bi_token}"}

    default = await router.get("/exports/my-workouts.csv", headers=headers)
    assert default.status_code == 200, default.text
    assert {row["id"] for row in _rows(default.text)} == created

    paged = await router.get("/exports/my-workouts.csv", params={"first": "2"}, headers=headers)  # 3 pages
    assert paged.status_code == 200, paged.text
    rows = _rows(paged.text)
    assert len(rows) == 5 and {row["id"] for row in rows} == created
    assert {row["sport"] for row in rows} == {"RUN"}

    ranged = await router.get(
        "/exports/my-workouts.csv",
        params={"RangeStart": "2026-03-02T00:00:00Z", "RangeEnd": "2026-03-04T00:00:00Z"},
        headers=headers,
    )
    assert ranged.status_code == 200, ranged.text
    assert sorted(row["startTime"][:10] for row in _rows(ranged.text)) == ["2026-03-02", "2026-03-03"]


async def test_a_page_larger_than_the_subgraph_allows_is_refused_clearly(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    bi_token = stack.issuer().issue(await _register(router), roles=["bi"])
    response = await router.get(
        "/exports/my-workouts.csv", params={"first": "101"}, headers={"authorization": f"Bearer {bi_token}"}
    )
    assert response.status_code in (400, 502), response.text
    assert response.json()["errors"], response.text


async def test_users_export_needs_admin_users_and_then_streams_accounts(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    bi_only = stack.issuer().issue(str(uuid.uuid4()), roles=["bi"])
    refused = await router.get("/exports/users.csv", headers={"authorization": f"Bearer {bi_only}"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    registered = {await _register(router) for _ in range(3)}
    admin_bi = stack.issuer().issue(str(uuid.uuid4()), roles=["admin", "bi"])
    response = await router.get(
        "/exports/users.ndjson", params={"first": "2"}, headers={"authorization": f"Bearer {admin_bi}"}
    )
    assert response.status_code == 200, response.text
    exported = {orjson.loads(line)["id"] for line in response.text.splitlines() if line}
    assert registered <= exported
