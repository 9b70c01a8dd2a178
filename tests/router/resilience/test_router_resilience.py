"""The router over real failing subgraphs on loopback: timeouts, 500s, malformed JSON, refused
connections and hangs give partial data plus coded errors, never a hung request, and the router
keeps serving; the circuit breaker fails fast and recovers by itself."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router, supergraph_sdl
from tests.support.servers import free_port

QUERY = orjson.dumps({"query": '{ product(id: "2") { name reviews { stars } } }'})
HEALTHY = {"data": {"product": {"name": "Yoga mat", "reviews": [{"stars": 2}, {"stars": 4}]}}}


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def _post(client: httpx.AsyncClient, body: bytes = QUERY) -> dict[str, Any]:
    response = await client.post("/graphql", content=body, headers=JSON_HEADERS)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def _config(**subgraphs: Any) -> dict[str, Any]:
    return {"subgraphs": {"retry": {"base_delay": 0.001, "max_delay": 0.002}, **subgraphs}}


async def test_hanging_subgraph_times_out_with_partial_data_and_router_keeps_serving(subgraphs: Subgraphs) -> None:
    subgraphs.reviews.failure = "hang"
    mixed = orjson.dumps({"query": '{ products(first: 1) { name } product(id: "2") { name reviews { stars } } }'})
    async with serve_router(subgraphs.sdl, _config(timeout=0.3)) as client:
        body = await _post(client, mixed)
        # Product.reviews is non-null, so its failure nulls the (nullable) product; the rest stays.
        assert body["data"] == {"products": [{"name": "Kettlebell"}], "product": None}
        assert _codes(body) == ["GATEWAY_TIMEOUT"]
        assert len(subgraphs.reviews.received) == 1  # timeouts are not retried
        subgraphs.reviews.release_hanging()
        subgraphs.reviews.failure = None
        assert await _post(client) == HEALTHY


async def test_500s_are_retried_for_queries_then_reported(subgraphs: Subgraphs) -> None:
    subgraphs.reviews.failure = "http_500"
    async with serve_router(subgraphs.sdl, _config()) as client:
        body = await _post(client)
        assert _codes(body) == ["SUBREQUEST_HTTP_ERROR"]
        assert len(subgraphs.reviews.received) == 3  # first try + 2 retries
        assert len(subgraphs.products.received) == 1


async def test_mutations_are_not_retried(subgraphs: Subgraphs) -> None:
    subgraphs.products.failure = "http_500"
    mutation = orjson.dumps({"query": 'mutation { addProduct(name: "Bench") { id } }'})
    async with serve_router(subgraphs.sdl, _config()) as client:
        body = await _post(client, mutation)
        assert body["data"] is None
        assert _codes(body) == ["SUBREQUEST_HTTP_ERROR"]
        assert len(subgraphs.products.received) == 1


async def test_malformed_json_is_coded_and_the_rest_of_the_answer_survives(subgraphs: Subgraphs) -> None:
    subgraphs.reviews.failure = "malformed_json"
    async with serve_router(subgraphs.sdl, _config()) as client:
        body = await _post(client)
        assert _codes(body) == ["SUBREQUEST_MALFORMED_RESPONSE"]
        assert body["data"] == {"product": None}
        assert body["errors"][0]["path"] == ["product"]


async def test_refused_connections_give_partial_data(subgraphs: Subgraphs) -> None:
    sdl = supergraph_sdl({"products": subgraphs.urls["products"], "reviews": f"http://127.0.0.1:{free_port()}/graphql"})
    names = orjson.dumps({"query": "{ products(first: 2) { name } }"})
    async with serve_router(sdl, _config()) as client:
        body = await _post(client)
        assert "SUBREQUEST_HTTP_ERROR" in _codes(body)
        # The healthy subgraph still answers everything it owns.
        assert await _post(client, names) == {"data": {"products": [{"name": "Kettlebell"}, {"name": "Yoga mat"}]}}


async def test_circuit_breaker_fails_fast_then_recovers(subgraphs: Subgraphs) -> None:
    subgraphs.reviews.failure = "http_500"
    config = _config(retry={"enabled": False}, circuit_breaker={"failure_threshold": 2, "cooldown": 0.2})
    async with serve_router(subgraphs.sdl, config) as client:
        for _ in range(2):
            assert _codes(await _post(client)) == ["SUBREQUEST_HTTP_ERROR"]
        open_body = await _post(client)
        assert _codes(open_body) == ["SUBGRAPH_CIRCUIT_OPEN"]
        assert len(subgraphs.reviews.received) == 2  # the open circuit sent nothing
        subgraphs.reviews.failure = None
        # After the cool-down the trial request goes through and closes the circuit.
        body = open_body
        while _codes(body) == ["SUBGRAPH_CIRCUIT_OPEN"]:
            await asyncio.sleep(0.05)
            body = await _post(client)
        assert body == HEALTHY
        assert await _post(client) == HEALTHY
