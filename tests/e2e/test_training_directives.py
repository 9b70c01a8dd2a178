"""Issue 4, Authorization: the training subgraph's @authenticated / @requiresScopes, enforced by
the real router (router.yaml, JWKS of the real users subgraph) in front of the real training
subgraph (MongoDB wire + Redis). Refused fields are removed before any fetch, reported with
their path and UNAUTHENTICATED / FORBIDDEN, and the rest of the data is returned; the right
token gets everything."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.router.attacks.stack import FitGraphStack

JSON = {"content-type": "application/json"}
PRIVATE_SELECTION = """
  activePlan { name }
  goals { kind }
  personalRecords { kind }
  privacyZones { radiusM }
  workouts(first: 5) { edges { node { id } } }
"""


async def gql(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any
) -> dict[str, Any]:
    headers = dict(JSON)
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def errors(body: dict[str, Any]) -> list[tuple[list[Any], str]]:
    return [(error["path"], error["extensions"]["code"]) for error in body.get("errors", [])]


def service_token(stack: FitGraphStack) -> str:
    """What the devices subgraph holds: no human role, only the ingest scope."""
    return stack.issuer().issue("devices-service", roles=[], scopes=["training:ingest"])


async def public_workout(stack: FitGraphStack, router: httpx.AsyncClient) -> tuple[str, str]:
    """(owner id, workout id) of a fresh PUBLIC workout with a plan, created through the router."""
    owner = str(uuid.uuid4())
    token = stack.token(owner)
    created = await gql(
        router,
        """mutation($input: WorkoutInput!) { createWorkout(input: $input) { id } }""",
        token,
        input={
            "sport": "RUN",
            "startTime": "2026-05-04T07:00:00+00:00",
            "durationS": 1800,
            "distanceM": 5000,
            "visibility": "PUBLIC",
        },
    )
    assert "errors" not in created, created
    plan = await gql(
        router,
        """mutation { startPlan(input: {name: "Base", startDate: "2026-05-04",
             weeks: [{sessions: [{day: 0, sport: RUN}]}]}) { name } }""",
        token,
    )
    assert plan == {"data": {"startPlan": {"name": "Base"}}}
    return owner, created["data"]["createWorkout"]["id"]


async def test_anonymous_gets_the_public_data_and_unauthenticated_errors(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    owner, workout_id = await public_workout(stack, router)
    before = stack.training.graphql_requests
    body = await gql(
        router,
        "query($id: ID!) { workout(id: $id) { id sport owner { id activePlan { name } } } importJob(id: $id) { id } }",
        id=workout_id,
    )
    assert body["data"] == {
        "workout": {"id": workout_id, "sport": "RUN", "owner": {"id": owner, "activePlan": None}},
        "importJob": None,
    }
    assert errors(body) == [
        (["workout", "owner", "activePlan"], "UNAUTHENTICATED"),
        (["importJob"], "UNAUTHENTICATED"),
    ]
    # One fetch, for the public part: the refused fields never reached the subgraph.
    assert stack.training.graphql_requests == before + 1


async def test_anonymous_mutations_are_refused_before_any_fetch(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    before = stack.subgraph_requests
    body = await gql(router, "mutation { stopPlan }")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": body["errors"][0]["message"],
                "path": ["stopPlan"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert stack.subgraph_requests == before


async def test_a_token_without_the_scope_gets_forbidden_and_the_rest(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    owner, workout_id = await public_workout(stack, router)
    # The devices service may ingest, not read people's training data.
    body = await gql(
        router,
        "query($id: ID!) { workout(id: $id) { id owner { id activePlan { name } } } }",
        service_token(stack),
        id=workout_id,
    )
    assert body["data"] == {"workout": {"id": workout_id, "owner": {"id": owner, "activePlan": None}}}
    assert errors(body) == [(["workout", "owner", "activePlan"], "FORBIDDEN")]
    # A signed-in user may not ingest device data, nor may a BI analyst write workouts.
    before = stack.training.graphql_requests
    ingest = await gql(
        router,
        """mutation { ingestWorkout(input: {ownerId: "x", source: GARMIN, externalId: "e1",
             workout: {sport: RUN, startTime: "2026-05-01T07:00:00Z", durationS: 60}}) { created } }""",
        stack.token(),
    )
    assert ingest["data"] is None and errors(ingest) == [(["ingestWorkout"], "FORBIDDEN")]
    bi = stack.issuer().issue(str(uuid.uuid4()), roles=["bi"])
    stop = await gql(router, "mutation { stopPlan }", bi)
    assert stop["data"] is None and errors(stop) == [(["stopPlan"], "FORBIDDEN")]
    assert stack.training.graphql_requests == before


async def test_the_right_tokens_get_the_data(stack: FitGraphStack, router: httpx.AsyncClient) -> None:
    owner, workout_id = await public_workout(stack, router)
    query = f"query($id: ID!) {{ workout(id: $id) {{ id samples {{ heartRate }} owner {{ {PRIVATE_SELECTION} }} }} }}"
    mine = await gql(router, query, stack.token(owner), id=workout_id)
    assert "errors" not in mine, mine
    assert mine["data"]["workout"]["samples"] == []
    assert mine["data"]["workout"]["owner"] == {
        "activePlan": {"name": "Base"},
        "goals": [],
        "personalRecords": mine["data"]["workout"]["owner"]["personalRecords"],
        "privacyZones": [],
        "workouts": {"edges": [{"node": {"id": workout_id}}]},
    }
    # An admin reads it too (workouts:read); the subgraph's owner/admin rule agrees.
    admin = stack.issuer().issue(str(uuid.uuid4()), roles=["user", "admin"])
    as_admin = await gql(router, query, admin, id=workout_id)
    assert "errors" not in as_admin and as_admin["data"]["workout"]["owner"]["activePlan"] == {"name": "Base"}
    # The devices service ingests through the router.
    ingested = await gql(
        router,
        """mutation($owner: ID!) { ingestWorkout(input: {ownerId: $owner, source: GARMIN, externalId: "g-1",
             workout: {sport: RIDE, startTime: "2026-05-02T07:00:00Z", durationS: 3600}}) { created workout { id } } }""",
        service_token(stack),
        owner=owner,
    )
    assert "errors" not in ingested, ingested
    assert ingested["data"]["ingestWorkout"]["created"] is True


async def test_a_signed_in_stranger_passes_the_router_and_the_subgraph_applies_its_rules(
    stack: FitGraphStack, router: httpx.AsyncClient
) -> None:
    # The directives only say "signed in with workouts:read"; whose data it is stays the
    # subgraph's decision (owner and admins only), as it verifies the token itself.
    _owner, workout_id = await public_workout(stack, router)
    stranger = stack.token(str(uuid.uuid4()))
    body = await gql(
        router,
        "query($id: ID!) { workout(id: $id) { owner { activePlan { name } goals { kind } } } }",
        stranger,
        id=workout_id,
    )
    assert body == {"data": {"workout": {"owner": {"activePlan": None, "goals": []}}}}
