"""The response cache over a real router and a real subgraph, with the memory and Redis backends."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import REGISTRY

from router.caching.backends import CacheBackend, MemoryBackend, RedisBackend
from router.caching.config import ResponseCacheConfig
from router.stages.response_cache import ResponseCacheStage
from tests.router.caching.shop import SHOP_SUPERGRAPH, Shop, running_shop
from tests.router.caching.support import JSON_HEADERS, bearer, router_app, serving

PRODUCTS = "query Products { products { id name } }"
ME = "query Me { me { id email } }"
CONFIG = ResponseCacheConfig(
    enabled=True,
    types={"Account": {"max_age": 30, "scope": "PRIVATE"}},  # type: ignore[dict-item]
    fields={"Query.me": {"max_age": 30, "scope": "PRIVATE"}},  # type: ignore[dict-item]
)


@pytest.fixture(scope="module")
async def shop() -> AsyncIterator[Shop]:
    async with running_shop() as running:
        yield running


@pytest.fixture(params=["memory", "redis"])
async def backend(
    request: pytest.FixtureRequest, redis_url: str, redis_prefix: str
) -> AsyncIterator[CacheBackend]:
    if request.param == "memory":
        yield MemoryBackend()
        return
    redis_backend = RedisBackend.from_url(redis_url, prefix=redis_prefix)
    try:
        yield redis_backend
    finally:
        await redis_backend.aclose()


@pytest.fixture
def cache(backend: CacheBackend, shop: Shop) -> ResponseCacheStage:
    shop.products.update(
        {"1": {"id": "1", "name": "Kettlebell", "price": 40}, "2": {"id": "2", "name": "Mat", "price": 25}}
    )
    return ResponseCacheStage(CONFIG, backend=backend)


def _lookups(result: str) -> float:
    value = REGISTRY.get_sample_value("fitgraph_router_response_cache_lookups_total", {"result": result})
    return value or 0.0


async def _post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **extra: Any
) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, **extra}, headers=headers)


async def test_public_queries_are_served_from_the_cache_with_http_headers(
    shop: Shop, cache: ResponseCacheStage
) -> None:
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    hits = _lookups("hit")
    async with serving(app) as client:
        before = shop.requests
        first = await _post(client, PRODUCTS, JSON_HEADERS)
        second = await _post(client, PRODUCTS, JSON_HEADERS)
        assert shop.requests == before + 1
    assert _lookups("hit") == hits + 1
    assert (
        first.json()
        == second.json()
        == {"data": {"products": [{"id": "1", "name": "Kettlebell"}, {"id": "2", "name": "Mat"}]}}
    )
    # The field's own @cacheControl(maxAge: 120) wins over its type's (Product: 60).
    assert first.headers["cache-control"] == second.headers["cache-control"] == "max-age=120, public"
    assert first.headers["age"] == "0"
    assert first.headers["vary"] == second.headers["vary"] == "authorization"
    assert int(second.headers["age"]) >= 0


async def test_get_requests_are_cached_too(shop: Shop, cache: ResponseCacheStage) -> None:
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    preflight = {"apollo-require-preflight": "1"}
    async with serving(app) as client:
        before = shop.requests
        one = await client.get("/graphql", params={"query": PRODUCTS}, headers=preflight)
        two = await client.get("/graphql", params={"query": PRODUCTS}, headers=preflight)
    assert one.json() == two.json() and shop.requests == before + 1
    assert two.headers["cache-control"] == "max-age=120, public" and "age" in two.headers


async def test_variables_are_part_of_the_key(shop: Shop, cache: ResponseCacheStage) -> None:
    query = "query P($id: ID!) { product(id: $id) { name price } }"
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    async with serving(app) as client:
        before = shop.requests
        one = await _post(client, query, JSON_HEADERS, variables={"id": "1"})
        two = await _post(client, query, JSON_HEADERS, variables={"id": "2"})
        again = await _post(client, query, JSON_HEADERS, variables={"id": "1"})
    assert one.json()["data"]["product"]["name"] == "Kettlebell"
    assert two.json()["data"]["product"]["name"] == "Mat"
    assert again.json() == one.json()
    assert shop.requests == before + 2
    assert again.headers["cache-control"] == "max-age=60, public"  # no field hint: Product's


async def test_one_user_never_sees_another_users_private_data(shop: Shop, cache: ResponseCacheStage) -> None:
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    alice, bob = bearer("alice"), bearer("bob")
    async with serving(app) as client:
        before = shop.requests
        alice_first = await _post(client, ME, alice)
        bob_first = await _post(client, ME, bob)
        anonymous = await _post(client, ME, JSON_HEADERS)
        anonymous_again = await _post(client, ME, JSON_HEADERS)
        alice_again = await _post(client, ME, bearer("alice"))  # a new token, same user
        bob_again = await _post(client, ME, bob)
        # alice, bob, and both anonymous requests reached the subgraph; the repeats did not.
        assert shop.requests == before + 4
    assert (
        alice_first.json()
        == alice_again.json()
        == {"data": {"me": {"id": "alice", "email": "alice@example.test"}}}
    )
    assert (
        bob_first.json() == bob_again.json() == {"data": {"me": {"id": "bob", "email": "bob@example.test"}}}
    )
    assert anonymous.json() == anonymous_again.json() == {"data": {"me": None}}
    assert alice_again.headers["cache-control"] == "max-age=30, private"
    # PRIVATE data of anonymous callers is never cached: no cache headers at all.
    assert "cache-control" not in anonymous_again.headers


async def test_anonymous_and_authenticated_callers_never_share_public_entries(
    shop: Shop, cache: ResponseCacheStage
) -> None:
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    async with serving(app) as client:
        before = shop.requests
        await _post(client, PRODUCTS, JSON_HEADERS)
        await _post(client, PRODUCTS, bearer("alice"))
        await _post(client, PRODUCTS, bearer("bob"))  # shares alice's (PUBLIC, authenticated) entry
        await _post(client, PRODUCTS, JSON_HEADERS)
    assert shop.requests == before + 2


async def test_responses_with_errors_and_unhinted_operations_are_not_cached(
    shop: Shop, cache: ResponseCacheStage
) -> None:
    app = router_app(
        SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine(), config={"include_subgraph_errors": True}
    )
    async with serving(app) as client:
        before = shop.requests
        flaky = [await _post(client, "{ flaky }", JSON_HEADERS) for _ in range(2)]
        greeting = [await _post(client, "{ greeting }", JSON_HEADERS) for _ in range(2)]
        mixed = [await _post(client, "{ products { id } greeting }", JSON_HEADERS) for _ in range(2)]
        assert shop.requests == before + 6
    assert all(response.json()["errors"] for response in flaky)
    assert all("cache-control" not in response.headers for response in (*flaky, *greeting, *mixed))
    assert greeting[1].json() == {"data": {"greeting": "hello"}}


async def test_a_mutation_purges_the_entries_of_the_type_it_returns(
    shop: Shop, cache: ResponseCacheStage
) -> None:
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    alice = bearer("alice")
    async with serving(app) as client:
        await _post(client, PRODUCTS, JSON_HEADERS)
        await _post(client, ME, alice)
        before = shop.requests
        renamed = await _post(
            client, 'mutation { renameProduct(id: "1", name: "Kettlebell 16kg") { id name } }', alice
        )
        assert renamed.json()["data"]["renameProduct"]["name"] == "Kettlebell 16kg"
        fresh = await _post(client, PRODUCTS, JSON_HEADERS)
        me = await _post(client, ME, alice)  # Account entries are untouched by a Product mutation
        assert shop.requests == before + 2
    assert fresh.json()["data"]["products"][0] == {"id": "1", "name": "Kettlebell 16kg"}
    assert me.json()["data"]["me"]["id"] == "alice"


async def test_the_cache_is_off_unless_enabled(shop: Shop) -> None:
    stage = ResponseCacheStage(ResponseCacheConfig(types={"Product": {"max_age": 60}}))  # type: ignore[dict-item]
    app = router_app(SHOP_SUPERGRAPH, response_cache=stage, engine=shop.engine())
    async with serving(app) as client:
        before = shop.requests
        await _post(client, PRODUCTS, JSON_HEADERS)
        second = await _post(client, PRODUCTS, JSON_HEADERS)
    assert shop.requests == before + 2 and "cache-control" not in second.headers


async def test_an_unreachable_redis_costs_a_miss_not_a_failure(shop: Shop) -> None:
    from tests.support.servers import free_port

    backend = RedisBackend.from_url(f"redis://127.0.0.1:{free_port()}/0")
    stage = ResponseCacheStage(CONFIG, backend=backend)
    app = router_app(SHOP_SUPERGRAPH, response_cache=stage, engine=shop.engine())
    try:
        async with serving(app) as client:
            before = shop.requests
            first = await _post(client, PRODUCTS, JSON_HEADERS)
            second = await _post(client, PRODUCTS, JSON_HEADERS)
            renamed = await _post(
                client, 'mutation { renameProduct(id: "2", name: "Mat") { id } }', JSON_HEADERS
            )
    finally:
        await backend.aclose()
    assert first.json() == second.json() and first.json()["data"]["products"][1]["name"] == "Mat"
    assert renamed.json() == {"data": {"renameProduct": {"id": "2"}}}
    assert shop.requests == before + 3


async def test_get_persisted_queries_carry_headers_an_http_cache_can_serve(
    shop: Shop, cache: ResponseCacheStage
) -> None:
    # Apollo Client's persisted-queries link with useGETForHashedQueries: the URL holds only the
    # hash, so NGINX in front can key on it; Cache-Control tells it for how long, Age how old.
    digest = hashlib.sha256(PRODUCTS.encode()).hexdigest()
    extensions = orjson.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}}).decode()
    preflight = {"apollo-require-preflight": "1"}
    app = router_app(SHOP_SUPERGRAPH, response_cache=cache, engine=shop.engine())
    async with serving(app) as client:
        miss = await client.get("/graphql", params={"extensions": extensions}, headers=preflight)
        assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        # A miss must not be stored by the HTTP cache, or the registration would never be seen.
        assert "no-cache" in miss.headers["cache-control"] and "public" not in miss.headers["cache-control"]
        register = await client.get(
            "/graphql", params={"query": PRODUCTS, "extensions": extensions}, headers=preflight
        )
        assert register.headers["age"] == "0"
        before = shop.requests
        await asyncio.sleep(1.1)  # lets the stored entry age by a whole second
        hit = await client.get("/graphql", params={"extensions": extensions}, headers=preflight)
        assert shop.requests == before  # answered from the response cache
    assert hit.json() == register.json()
    assert hit.headers["cache-control"] == "max-age=120, public"
    assert int(hit.headers["age"]) >= 1
