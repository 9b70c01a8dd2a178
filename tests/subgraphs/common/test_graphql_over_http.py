"""GraphQL over HTTP on the subgraphs: the spec's own audit suite plus direct media-type checks.

graphql-http's `serverAudits` (https://graphql.github.io/graphql-over-http/draft/, one audit per
MUST/SHOULD/MAY) run under Node against a real users subgraph on loopback (PostgreSQL); the
training subgraph (SecantusDB) is checked directly, since both share subgraphs/common/http.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from subgraphs.common.http import GRAPHQL_RESPONSE_JSON, JSON, negotiate_media_type
from tests.subgraphs.training.harness import running_training
from tests.subgraphs.users.harness import UsersServer, postgres_database_url, users_server
from tests.support.node import npm_ci, run_node

AUDIT_DIR = Path(__file__).resolve().parents[2] / "e2e" / "http_audit"

# What router/subgraph_http.py sends on every subgraph fetch.
ROUTER_ACCEPT = "application/graphql-response+json, application/json"
# The audits that were WARN before the subgraphs negotiated application/graphql-response+json.
_RESPONSE_JSON_AUDITS = {"22EB", "865D", "556A", "D586", "51FE", "74FF", "5E5B", "86EE"}

PARSE_ERROR = {"query": "{"}
VALIDATION_ERROR = {"query": "{ noSuchField }"}
COERCION_ERROR = {"query": "query ($b: Boolean!) { __typename @include(if: $b) }", "variables": {"b": "yes"}}
FIELD_ERROR = {"query": "{ me { id } }"}  # `me` needs a token: a field error, data {"me": null}
OK = {"query": "{ __typename }"}


@pytest.fixture(scope="module")
async def users() -> AsyncIterator[UsersServer]:
    """A users subgraph on its own throwaway PostgreSQL database (in-memory kv: no Redis needed)."""
    async with postgres_database_url() as database, users_server(database, redis_prefix=None) as server:
        yield server


async def _post(
    server: UsersServer, payload: dict[str, Any], *, accept: str | None, **headers: str
) -> httpx.Response:
    if accept is not None:
        headers["accept"] = accept
    return await server.client.post(f"{server.url}/graphql", json=payload, headers=headers)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _codes(body: dict[str, Any]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in body["errors"]]


async def test_every_audit_of_the_spec_passes_against_a_subgraph(users: UsersServer) -> None:
    await npm_ci(AUDIT_DIR, installed="graphql-http")
    env = {**os.environ, "GRAPHQL_URL": f"{users.url}/graphql"}
    results: list[dict[str, Any]] = json.loads(await run_node(AUDIT_DIR / "audit.mjs", env=env, deadline=120))
    assert len(results) >= 50, results  # the whole suite ran
    assert _RESPONSE_JSON_AUDITS <= {r["id"] for r in results}
    not_ok = {r["id"]: f"{r['status']}: {r['name']} — {r['reason']}" for r in results if r["status"] != "ok"}
    assert not_ok == {}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (PARSE_ERROR, "GRAPHQL_PARSE_FAILED"),
        (VALIDATION_ERROR, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION_ERROR, "BAD_USER_INPUT"),
    ],
    ids=["parse", "validation", "variable-coercion"],
)
async def test_request_errors_are_400_without_data_under_graphql_response_json(
    users: UsersServer, payload: dict[str, Any], code: str
) -> None:
    for accept in (GRAPHQL_RESPONSE_JSON, ROUTER_ACCEPT):
        response = await _post(users, payload, accept=accept)
        assert response.status_code == 400
        assert _media_type(response) == GRAPHQL_RESPONSE_JSON
        body = response.json()
        assert "data" not in body  # §7.1.2: execution never started
        assert _codes(body) == [code]


@pytest.mark.parametrize(
    "payload", [PARSE_ERROR, VALIDATION_ERROR, COERCION_ERROR], ids=["parse", "validation", "coercion"]
)
async def test_application_json_keeps_200_and_the_data_entry(
    users: UsersServer, payload: dict[str, Any]
) -> None:
    for accept in (JSON, None, "*/*", "text/html"):
        response = await _post(users, payload, accept=accept)
        assert response.status_code == 200
        assert _media_type(response) == JSON
        body = response.json()
        assert body["data"] is None and body["errors"]


async def test_field_errors_during_execution_are_200_with_data_in_both_media_types(
    users: UsersServer,
) -> None:
    for accept in (GRAPHQL_RESPONSE_JSON, JSON):
        response = await _post(users, FIELD_ERROR, accept=accept)
        assert response.status_code == 200
        assert _media_type(response) == accept
        body = response.json()
        assert body["data"] == {"me": None}
        assert _codes(body) == ["UNAUTHENTICATED"] and body["errors"][0]["path"] == ["me"]


async def test_a_refused_token_is_401_with_a_bearer_challenge_under_graphql_response_json(
    users: UsersServer,
) -> None:
    refused = await _post(users, OK, accept=GRAPHQL_RESPONSE_JSON, authorization="Bearer not-a-jwt")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer ")
    assert _media_type(refused) == GRAPHQL_RESPONSE_JSON
    assert "data" not in refused.json() and _codes(refused.json()) == ["UNAUTHENTICATED"]
    legacy = await _post(users, OK, accept=JSON, authorization="Bearer not-a-jwt")
    assert legacy.status_code == 200 and legacy.json()["data"] is None
    assert _codes(legacy.json()) == ["UNAUTHENTICATED"]


async def test_success_is_200_in_the_negotiated_media_type(users: UsersServer) -> None:
    for accept, expected in [
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (ROUTER_ACCEPT, GRAPHQL_RESPONSE_JSON),
        (f"{JSON}, {GRAPHQL_RESPONSE_JSON};q=0.5", JSON),
        (JSON, JSON),
    ]:
        response = await _post(users, OK, accept=accept)
        assert (response.status_code, _media_type(response)) == (200, expected), accept
        assert response.json() == {"data": {"__typename": "Query"}}


async def test_transport_errors_use_the_negotiated_media_type(users: UsersServer) -> None:
    url = f"{users.url}/graphql"
    broken = {"content-type": "application/json", "accept": GRAPHQL_RESPONSE_JSON}
    response = await users.client.post(url, content=b"{not json", headers=broken)
    assert (response.status_code, _media_type(response)) == (400, GRAPHQL_RESPONSE_JSON)
    assert _codes(response.json()) == ["BAD_REQUEST"]
    mutation = await users.client.get(
        url, params={"query": "mutation { __typename }"}, headers={"accept": JSON}
    )
    assert (mutation.status_code, _media_type(mutation), mutation.headers["allow"]) == (405, JSON, "POST")


async def test_the_training_subgraph_negotiates_the_same_way(mongodb_url: str) -> None:
    async with running_training(mongodb_url) as training:
        url = f"{training.url}/graphql"
        ok = await training.http.post(url, json=OK, headers={"accept": ROUTER_ACCEPT})
        assert (ok.status_code, _media_type(ok), ok.json()) == (
            200,
            GRAPHQL_RESPONSE_JSON,
            {"data": {"__typename": "Query"}},
        )
        invalid = await training.http.post(
            url, json=VALIDATION_ERROR, headers={"accept": GRAPHQL_RESPONSE_JSON}
        )
        assert (invalid.status_code, _media_type(invalid)) == (400, GRAPHQL_RESPONSE_JSON)
        assert "data" not in invalid.json() and _codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]
        legacy = await training.http.post(url, json=VALIDATION_ERROR, headers={"accept": JSON})
        assert (legacy.status_code, _media_type(legacy), legacy.json()["data"]) == (200, JSON, None)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("text/html", JSON),  # nothing acceptable: served as application/json, never 406
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (ROUTER_ACCEPT, GRAPHQL_RESPONSE_JSON),
        (f"{JSON}, {GRAPHQL_RESPONSE_JSON}", JSON),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=bad, */*;q=0.1", JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_accept_negotiation(accept: str | None, expected: str) -> None:
    assert negotiate_media_type(accept) == expected
