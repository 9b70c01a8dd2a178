"""Inbound in-flight deduplication (router/stages/dedup.py) through the real router: identical
concurrent queries share one execution; a different authorization, different variables or a
mutation never do; the per-request id does not prevent sharing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from router.app import create_app, default_engine_factory
from router.config import RouterConfig, parse_config
from tests.router.http.fixtures import (
    CATALOGUE,
    JSON_HEADERS,
    PRODUCTS_SDL,
    REVIEWS_SDL,
    serve_router,
    supergraph_sdl,
)
from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import running_server


@dataclass
class _Gated:
    products: TestSubgraph
    sdl: str
    gate: asyncio.Event
    arrived: asyncio.Event


@pytest.fixture(scope="module")
async def gated() -> AsyncIterator[_Gated]:
    """A products subgraph whose `product` resolver waits for the test to open a gate, so
    requests are truly in flight together."""
    state: dict[str, asyncio.Event] = {"gate": asyncio.Event(), "arrived": asyncio.Event()}

    async def product(_root: Any, _info: Any, id: str) -> dict[str, Any] | None:
        state["arrived"].set()
        await state["gate"].wait()
        return CATALOGUE.get(id)

    def add_product(_root: Any, _info: Any, name: str, price: int | None = None) -> dict[str, Any]:
        return {"id": "new", "name": name, "price": price}

    products = TestSubgraph(
        PRODUCTS_SDL,
        resolvers={"Query.product": product, "Mutation.addProduct": add_product},
    )
    reviews = TestSubgraph(REVIEWS_SDL)
    async with running_subgraphs({"products": products, "reviews": reviews}) as urls:
        yield _Gated(products, supergraph_sdl(urls), state["gate"], state["arrived"])
        state["gate"].set()


@pytest.fixture
def fresh(gated: _Gated) -> _Gated:
    gated.products.reset()
    gated.gate.clear()
    gated.arrived.clear()
    return gated


def _query(product_id: str) -> bytes:
    return orjson.dumps(
        {"query": "query P($id: ID!) { product(id: $id) { name } }", "variables": {"id": product_id}}
    )


async def _concurrently(
    client: httpx.AsyncClient, gated: _Gated, requests: list[tuple[bytes, dict[str, str]]]
) -> list[dict[str, Any]]:
    pending = [
        asyncio.create_task(client.post("/graphql", content=body, headers={**JSON_HEADERS, **headers}))
        for body, headers in requests
    ]
    # Bounded: if a request failed before reaching the subgraph, fail instead of hanging.
    await asyncio.wait_for(gated.arrived.wait(), timeout=20)
    # Let every other request reach the router while the first one is held at the subgraph.
    for _ in range(20):
        await asyncio.sleep(0.01)
    gated.gate.set()
    responses = await asyncio.gather(*pending)
    assert all(response.status_code == 200 for response in responses)
    return [response.json() for response in responses]


async def test_identical_queries_share_one_execution(fresh: _Gated) -> None:
    async with serve_router(fresh.sdl) as client:
        bodies = await _concurrently(client, fresh, [(_query("1"), {"authorization": "Bearer same"})] * 5)
    assert bodies == [{"data": {"product": {"name": "Kettlebell"}}}] * 5
    assert len(fresh.products.received) == 1


async def test_authorization_and_variables_are_part_of_the_key(fresh: _Gated) -> None:
    # Forwarded by the auth rule (the only one that forwards a token), the token also makes the
    # subgraph requests differ (no subgraph-level sharing).
    secret = "inbound-dedup-test-secret-of-32-bytes!"
    issuer = TokenIssuer(
        KeyRing(), issuer="https://auth.test", audience="fitgraph", hs256_secret=secret.encode()
    )
    alice, bob = (f"Bearer {issuer.issue(who, roles=['user'], symmetric=True)}" for who in ("alice", "bob"))
    auth = {
        "issuer": "https://auth.test",
        "audience": "fitgraph",
        "algorithms": ["HS256"],
        "hs256_secret": secret,
    }
    async with serve_router(fresh.sdl, {"auth": auth}) as client:
        bodies = await _concurrently(
            client,
            fresh,
            [
                (_query("1"), {"authorization": alice}),
                (_query("1"), {"authorization": bob}),
                (_query("2"), {"authorization": alice}),
                (_query("1"), {"authorization": alice}),
            ],
        )
    names = [body["data"]["product"]["name"] for body in bodies]
    assert names == ["Kettlebell", "Kettlebell", "Yoga mat", "Kettlebell"]
    assert len(fresh.products.received) == 3


async def test_followers_get_their_own_copy(fresh: _Gated) -> None:
    async with serve_router(fresh.sdl) as client:
        bodies = await _concurrently(client, fresh, [(_query("3"), {})] * 3)
    assert bodies == [{"data": {"product": {"name": "Rowing machine"}}}] * 3
    assert len(fresh.products.received) == 1
    # Later requests execute again (nothing is cached once the shared execution is over).
    async with serve_router(fresh.sdl) as client:
        response = await client.post("/graphql", content=_query("3"), headers=JSON_HEADERS)
    assert response.json() == {"data": {"product": {"name": "Rowing machine"}}}
    assert len(fresh.products.received) == 2


async def test_mutations_are_never_shared(fresh: _Gated) -> None:
    mutation = orjson.dumps({"query": 'mutation { addProduct(name: "Bench") { id } }'})
    async with serve_router(fresh.sdl) as client:
        responses = await asyncio.gather(
            *(client.post("/graphql", content=mutation, headers=JSON_HEADERS) for _ in range(3))
        )
    assert [response.json() for response in responses] == [{"data": {"addProduct": {"id": "new"}}}] * 3
    assert len(fresh.products.received) == 3


async def test_switched_off_subgraph_fetches_are_still_shared_despite_request_ids(fresh: _Gated) -> None:
    # Every client request gets its own x-request-id / traceparent towards the subgraphs; the
    # subgraph-level dedup key leaves them out, so identical fetches still share one exchange.
    async with serve_router(fresh.sdl, {"deduplication": {"enabled": False}}) as client:
        bodies = await _concurrently(client, fresh, [(_query("1"), {})] * 3)
    assert bodies == [{"data": {"product": {"name": "Kettlebell"}}}] * 3
    assert len(fresh.products.received) == 1
    assert "x-request-id" in fresh.products.received[0].headers


async def test_switched_off_distinct_subgraph_headers_execute_separately(fresh: _Gated) -> None:
    config = {"deduplication": {"enabled": False}, "headers": {"propagate": ["accept-language"]}}
    async with serve_router(fresh.sdl, config) as client:
        bodies = await _concurrently(
            client, fresh, [(_query("1"), {"accept-language": language}) for language in ("en", "fr", "de")]
        )
    assert bodies == [{"data": {"product": {"name": "Kettlebell"}}}] * 3
    assert sorted(request.headers["accept-language"] for request in fresh.products.received) == [
        "de",
        "en",
        "fr",
    ]


class _CountingEngine:
    """The real Engine, with its executions counted (through create_app's engine_factory)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.executions = 0
        self.api_schema = engine.api_schema

    def prepare(self, request: Any) -> Any:
        return self._engine.prepare(request)

    async def execute(self, prepared: Any, request: Any, context: Any) -> Any:
        self.executions += 1
        return await self._engine.execute(prepared, request, context)

    async def aclose(self) -> None:
        await self._engine.aclose()

    def __getattr__(self, name: str) -> Any:
        # Everything else (supergraph model, SDL…) is the real Engine's.
        return getattr(self._engine, name)


async def test_the_router_executes_identical_in_flight_queries_once(fresh: _Gated) -> None:
    engines: list[_CountingEngine] = []

    def factory(sdl: str, config: RouterConfig) -> _CountingEngine:
        engines.append(_CountingEngine(default_engine_factory(sdl, config)))
        return engines[-1]

    for enabled, executions in ((True, 1), (False, 4)):
        fresh.gate.clear()
        fresh.arrived.clear()
        app = create_app(
            parse_config({"deduplication": {"enabled": enabled}}), fresh.sdl, engine_factory=factory
        )
        async with running_server(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
            bodies = await _concurrently(client, fresh, [(_query("2"), {"authorization": "Bearer t"})] * 4)
        assert bodies == [{"data": {"product": {"name": "Yoga mat"}}}] * 4
        assert engines[-1].executions == executions


async def test_followers_behind_authorization_each_get_one_error_and_the_same_bytes(fresh: _Gated) -> None:
    # Authorization removes `price` for anonymous callers and adds its error on the way back:
    # the shared execution's body must not collect one error per follower.
    sdl = fresh.sdl.replace(
        '  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n',
        '  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
        '  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)\n',
        1,
    ).replace(
        "  price: Int @join__field(graph: PRODUCTS)",
        "  price: Int @join__field(graph: PRODUCTS) @authenticated",
        1,
    )
    sdl += "\ndirective @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n"
    assert "@authenticated" in sdl
    query = orjson.dumps({"query": '{ product(id: "1") { name price } }'})
    async with serve_router(sdl) as client:
        bodies = await _concurrently(client, fresh, [(query, {})] * 4)
    expected_error = {
        "message": bodies[0]["errors"][0]["message"],
        "path": ["product", "price"],
        "extensions": bodies[0]["errors"][0]["extensions"],
    }
    assert expected_error["extensions"]["code"] == "UNAUTHENTICATED"
    for body in bodies:
        assert body["data"] == {"product": {"name": "Kettlebell", "price": None}}
        assert [
            {key: error[key] for key in ("message", "path", "extensions")} for error in body["errors"]
        ] == [expected_error]
    assert len(fresh.products.received) == 1
