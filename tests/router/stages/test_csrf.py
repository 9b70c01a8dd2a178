"""CSRF prevention (Apollo Router's rule): the preflight test, then the refusals over HTTP."""

from __future__ import annotations

import httpx
import pytest

from router.stages.csrf import is_preflighted
from tests.router.http.fixtures import Subgraphs, serve_router

REQUIRED = ("x-apollo-operation-name", "apollo-require-preflight")


@pytest.mark.parametrize(
    ("headers", "preflighted"),
    [
        ({}, False),
        ({"content-type": "text/plain"}, False),
        ({"content-type": "text/plain; charset=utf-8"}, False),
        ({"content-type": "application/x-www-form-urlencoded"}, False),
        ({"content-type": "multipart/form-data; boundary=x"}, False),
        ({"content-type": "application/json"}, True),
        ({"content-type": "application/json, text/plain"}, False),
        ({"content-type": ""}, False),
        ({"apollo-require-preflight": "true"}, True),
        ({"x-apollo-operation-name": "Q", "content-type": "text/plain"}, True),
        ({"x-other": "1"}, False),
    ],
)
def test_is_preflighted(headers: dict[str, str], preflighted: bool) -> None:
    assert is_preflighted(headers, REQUIRED) is preflighted


async def test_simple_get_is_refused_non_simple_get_runs(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl) as client:
        params = {"query": "{ products(first: 1) { name } }"}
        refused = await client.get("/graphql", params=params)
        assert refused.status_code == 400
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "CSRF_ERROR"
        assert "apollo-require-preflight" in error["message"]
        assert subgraphs.products.received == []

        for headers in ({"apollo-require-preflight": "1"}, {"x-apollo-operation-name": "x"}, {"content-type": "application/json"}):
            allowed = await client.get("/graphql", params=params, headers=headers)
            assert allowed.json() == {"data": {"products": [{"name": "Kettlebell"}]}}, headers

        # A "simple" POST never reaches execution either.
        simple_post = await client.post("/graphql", content=b'{"query": "{ broken }"}', headers={"content-type": "text/plain"})
        assert simple_post.status_code == 415
        assert subgraphs.products.received and all("broken" not in r.query for r in subgraphs.products.received)


async def test_custom_required_headers_and_disabling(subgraphs: Subgraphs) -> None:
    params = {"query": "{ __typename }"}
    async with serve_router(subgraphs.sdl, {"csrf": {"required_headers": ["X-Fitgraph-Client"]}}) as client:
        assert (await client.get("/graphql", params=params, headers={"apollo-require-preflight": "1"})).status_code == 400
        allowed = await client.get("/graphql", params=params, headers={"x-fitgraph-client": "ios"})
        assert allowed.json() == {"data": {"__typename": "Query"}}
    async with serve_router(subgraphs.sdl, {"csrf": {"enabled": False}}) as client:
        bare = await client.get("/graphql", params=params)
        assert isinstance(bare, httpx.Response) and bare.json() == {"data": {"__typename": "Query"}}
