"""App wiring: subgraph overrides, supergraph hot reload, the last-resort error mask."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from router.app import create_app
from router.config import ConfigError, RouterConfig, parse_config
from router.engine import Engine
from router.types import GraphQLRequest, GraphQLResponse, RequestContext
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router, supergraph_sdl
from tests.support.servers import running_server

QUERY = orjson.dumps({"query": '{ product(id: "1") { name } }'})
DEAD = "http://127.0.0.1:1/graphql"  # nothing listens on port 1


async def test_subgraph_url_override(subgraphs: Subgraphs) -> None:
    sdl = supergraph_sdl({"products": DEAD, "reviews": subgraphs.urls["reviews"]})
    async with serve_router(sdl) as client:
        broken = (await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)).json()
        assert broken["data"] == {"product": None} and broken["errors"]
    config = {"subgraphs": {"overrides": {"products": {"url": subgraphs.urls["products"]}}}}
    async with serve_router(sdl, config) as client:
        fixed = (await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)).json()
        assert fixed == {"data": {"product": {"name": "Kettlebell"}}}


def test_override_of_an_unknown_subgraph_is_a_config_error(subgraphs: Subgraphs) -> None:
    config = parse_config({"subgraphs": {"overrides": {"inventory": {"url": "http://x/graphql"}}}})
    with pytest.raises(ConfigError, match=r"subgraphs\.overrides\.inventory: .*known: products, reviews"):
        create_app(config, subgraphs.sdl)


async def test_per_subgraph_timeouts_are_applied_or_refused(subgraphs: Subgraphs) -> None:
    config = parse_config({"subgraphs": {"overrides": {"reviews": {"timeout": 0.5}}}})
    if "subgraph_timeouts" in inspect.signature(Engine).parameters:
        async with serve_router(subgraphs.sdl, config) as client:
            body = (await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)).json()
            assert body == {"data": {"product": {"name": "Kettlebell"}}}
    else:  # the Engine cannot apply it yet: never silently ignored
        with pytest.raises(ConfigError, match=r"subgraphs\.overrides\.reviews\.timeout"):
            create_app(config, subgraphs.sdl)


async def test_supergraph_hot_reload(subgraphs: Subgraphs, tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(supergraph_sdl({"products": DEAD, "reviews": subgraphs.urls["reviews"]}))
    config = {"supergraph": {"path": str(path), "poll_interval": 0.02}}
    async with serve_router(path.read_text(), config) as client:
        assert (await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)).json()["errors"]
        path.write_text("this is not a supergraph")  # a broken file never replaces a working one
        path.write_text(subgraphs.sdl)
        for _ in range(500):
            body = (await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)).json()
            if "errors" not in body:
                break
            await asyncio.sleep(0.02)
        assert body == {"data": {"product": {"name": "Kettlebell"}}}
        assert (await client.get("/health")).status_code == 200


async def test_invalid_reload_keeps_the_last_good_supergraph(subgraphs: Subgraphs, tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(subgraphs.sdl)
    app = create_app(parse_config({"supergraph": {"path": str(path), "poll_interval": 0.02}}), subgraphs.sdl)
    holder = app.state.engine_holder
    first = holder.engine
    async with running_server(app):
        path.write_text("type Query { nothing: String }")
        for _ in range(20):  # several poll periods
            await asyncio.sleep(0.02)
        assert holder.engine is first
        assert holder.supergraph_sdl == subgraphs.sdl


class _ExplodingEngine(Engine):
    """Fault injection: the real Engine, except that execution hits a router bug."""

    async def execute(self, prepared: Any, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse:
        raise RuntimeError("bug with secret detail")


def _exploding(sdl: str, config: RouterConfig) -> _ExplodingEngine:
    return _ExplodingEngine(sdl)


async def test_router_failure_is_masked_as_500(subgraphs: Subgraphs) -> None:
    app = create_app(RouterConfig(), subgraphs.sdl, engine_factory=_exploding)
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
        response = await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)
    assert response.status_code == 500
    assert response.json() == {"errors": [{"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    assert "secret" not in response.text


async def test_custom_graphql_path_and_long_get(subgraphs: Subgraphs) -> None:
    config = {"server": {"graphql_path": "/api/graphql"}, "limits": {"max_body_bytes": 300}}
    async with serve_router(subgraphs.sdl, config) as client:
        moved = await client.post("/api/graphql", content=QUERY, headers=JSON_HEADERS)
        assert moved.json() == {"data": {"product": {"name": "Kettlebell"}}}
        assert (await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)).status_code == 404
        long_get = await client.get(
            "/api/graphql", params={"query": "{ " + "__typename " * 40 + "}"}, headers={"apollo-require-preflight": "1"}
        )
        assert long_get.status_code == 414
        assert long_get.json()["errors"][0]["extensions"]["code"] == "URI_TOO_LONG"
