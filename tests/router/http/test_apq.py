"""Automatic persisted queries over HTTP, as Apollo Client's link drives them."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import redis.asyncio as aioredis

from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router

QUERY = "query Cheap($first: Int) { products(first: $first) { name price } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
EXPECTED = {"data": {"products": [{"name": "Kettlebell", "price": 40}]}}


def persisted(sha: str = SHA, version: int = 1) -> dict[str, object]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha}}


async def post(client: httpx.AsyncClient, body: object) -> httpx.Response:
    return await client.post("/graphql", content=orjson.dumps(body), headers=JSON_HEADERS)


async def get(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    return await client.get("/graphql", params=params, headers={"apollo-require-preflight": "true"})


@pytest.fixture
async def router(subgraphs: Subgraphs) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_router(subgraphs.sdl) as client:
        yield client


async def test_miss_then_register_then_hit_by_post(router: httpx.AsyncClient, subgraphs: Subgraphs) -> None:
    miss = await post(router, {"variables": {"first": 1}, "extensions": persisted()})
    assert miss.status_code == 200
    assert miss.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    assert "no-cache" in miss.headers["cache-control"]
    assert subgraphs.products.received == []

    register = await post(router, {"query": QUERY, "variables": {"first": 1}, "extensions": persisted()})
    assert register.json() == EXPECTED

    hit = await post(router, {"variables": {"first": 1}, "extensions": persisted()})
    assert hit.json() == EXPECTED
    assert len(subgraphs.products.received) == 2


async def test_hit_by_get(router: httpx.AsyncClient) -> None:
    miss = await get(router, variables='{"first": 1}', extensions=orjson.dumps(persisted()).decode())
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await get(
        router, query=QUERY, variables='{"first": 1}', extensions=orjson.dumps(persisted()).decode()
    )
    assert registered.json() == EXPECTED
    hit = await get(router, variables='{"first": 1}', extensions=orjson.dumps(persisted()).decode())
    assert hit.status_code == 200
    assert hit.json() == EXPECTED


async def test_hash_mismatch_is_refused_and_not_registered(router: httpx.AsyncClient) -> None:
    wrong = hashlib.sha256(b"{ products { name } }").hexdigest()
    response = await post(router, {"query": QUERY, "extensions": persisted(wrong)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    after = await post(router, {"extensions": persisted(wrong)})
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_invalid_query_is_not_registered(router: httpx.AsyncClient) -> None:
    bad = "{ products { nope } }"
    sha = hashlib.sha256(bad.encode()).hexdigest()
    first = await post(router, {"query": bad, "extensions": persisted(sha)})
    assert first.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    again = await post(router, {"extensions": persisted(sha)})
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("extensions", "code"),
    [
        (persisted(version=2), "PERSISTED_QUERY_NOT_SUPPORTED"),
        ({"persistedQuery": "yes"}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        (persisted(sha="abc"), "BAD_REQUEST"),
    ],
)
async def test_malformed_persisted_query_extension(router: httpx.AsyncClient, extensions: dict[str, object], code: str) -> None:
    response = await post(router, {"extensions": extensions})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_apq_disabled(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl, {"apq": {"enabled": False}}) as client:
        hash_only = await post(client, {"extensions": persisted()})
        assert hash_only.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        with_text = await post(client, {"query": QUERY, "variables": {"first": 1}, "extensions": persisted()})
        assert with_text.json() == EXPECTED


async def test_redis_shares_registrations_between_routers(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str
) -> None:
    config = {"apq": {"redis_url": redis_url, "redis_prefix": redis_prefix, "ttl": 60}}
    async with serve_router(subgraphs.sdl, config) as first, serve_router(subgraphs.sdl, config) as second:
        registered = await post(first, {"query": QUERY, "variables": {"first": 1}, "extensions": persisted()})
        assert registered.json() == EXPECTED
        # The second replica never saw the text: it reads it from Redis.
        hit = await post(second, {"variables": {"first": 1}, "extensions": persisted()})
        assert hit.json() == EXPECTED
    client = aioredis.from_url(redis_url)
    try:
        assert await client.get(redis_prefix + SHA) == QUERY.encode()
        assert 0 < await client.ttl(redis_prefix + SHA) <= 60
    finally:
        await client.aclose()


async def test_batched_apq(router: httpx.AsyncClient) -> None:
    await post(router, {"query": QUERY, "variables": {"first": 1}, "extensions": persisted()})
    other = hashlib.sha256(b"{ broken }").hexdigest()
    results = await post(
        router,
        [{"variables": {"first": 1}, "extensions": persisted()}, {"extensions": persisted(other)}],
    )
    assert results.status_code == 200
    assert results.json()[0] == EXPECTED
    assert results.json()[1]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_not_found_stays_200_under_graphql_response_json(router: httpx.AsyncClient) -> None:
    # Apollo clients read the code from a 200 answer and retry with the text.
    response = await router.post(
        "/graphql",
        content=orjson.dumps({"extensions": persisted()}),
        headers={**JSON_HEADERS, "accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_persisted_mutation_cannot_run_by_get(router: httpx.AsyncClient, subgraphs: Subgraphs) -> None:
    mutation = 'mutation { addProduct(name: "Bench") { id } }'
    sha = hashlib.sha256(mutation.encode()).hexdigest()
    registered = await post(router, {"query": mutation, "extensions": persisted(sha)})
    assert registered.json() == {"data": {"addProduct": {"id": "new"}}}
    by_get = await get(router, extensions=orjson.dumps(persisted(sha)).decode())
    assert by_get.status_code == 405
    assert by_get.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert len(subgraphs.products.received) == 1
