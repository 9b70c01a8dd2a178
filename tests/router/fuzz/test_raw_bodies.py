"""Fuzzing below GraphQL: arbitrary bytes, arbitrary JSON and arbitrary request-shaped JSON
posted to the real router over FitGraph's supergraph. Whatever arrives, the answer is a
GraphQL error response (JSON with `errors`, each with a message and extensions.code) or a
GraphQL result, never a 5xx and never a hang (client timeout = subgraph timeout + 5 s)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.router.attacks.stack import FitGraphStack, router_config, serve_router

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
_GRAPHQL_TEXT = st.lists(
    st.sampled_from(
        ["{", "}", "(", ")", "...", "fragment", "on", "query", "mutation", "workout", "me", "id", ":",
         '"x"', "$v", "@skip", "__typename", "__schema", "owner", "User", "F", "1", "[", "]", "!"]
    ),
    max_size=40,
).map(" ".join)
_REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(_GRAPHQL_TEXT, st.text(max_size=60), _JSON),
        "operationName": st.one_of(st.text(max_size=10), _JSON),
        "variables": _JSON,
        "extensions": st.one_of(
            _JSON, st.fixed_dictionaries({"persistedQuery": st.dictionaries(st.text(max_size=12), _JSON, max_size=3)})
        ),
    },
)


@pytest.fixture(scope="module")
async def router(stack: FitGraphStack) -> AsyncIterator[httpx.AsyncClient]:
    config = router_config(stack)
    async with serve_router(stack, config) as client:
        client.timeout = httpx.Timeout(config.subgraphs.timeout + 5.0)
        yield client


def _assert_graphql_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    body: Any = response.json()
    answers = body if isinstance(body, list) else [body]
    for answer in answers:
        assert isinstance(answer, dict), response.text[:500]
        assert "data" in answer or answer.get("errors"), response.text[:500]
        for error in answer.get("errors", []):
            assert isinstance(error["message"], str), response.text[:500]
            if "data" not in answer:
                # A request error (no execution) always names its cause.
                assert error["extensions"]["code"], response.text[:500]


@_SETTINGS
@given(body=st.binary(max_size=200))
async def test_arbitrary_bytes(router: httpx.AsyncClient, body: bytes) -> None:
    response = await router.post("/graphql", content=body, headers={"content-type": "application/json"})
    _assert_graphql_answer(response)


@_SETTINGS
@given(payload=st.one_of(_JSON, _REQUESTS, st.lists(_REQUESTS, max_size=4)))
async def test_arbitrary_json_and_request_shapes(router: httpx.AsyncClient, payload: Any) -> None:
    # The stdlib encoder: it writes integers beyond 64 bits (and Infinity), which clients may send.
    content = json.dumps(payload).encode()
    response = await router.post("/graphql", content=content, headers={"content-type": "application/json"})
    _assert_graphql_answer(response)
