"""Live reload of the supergraph (issue 6): file and URL sources, conditional GETs, refusal of
invalid supergraphs, fresh plan caches after a swap, in-flight requests on the old engine, and
the closing of replaced engines (`fitgraph router --supergraph-url`: test_reload_cli.py).

The watcher's background loop is given a long poll interval here and each test drives
`watcher.check()` itself, so every step is deterministic; tests/router/test_reload_load.py runs
the real polling loop under load.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from structlog.testing import capture_logs

from router.app import create_app
from router.config import ConfigError, RouterConfig, parse_config
from router.engine import Engine
from router.reload import FileSource, SupergraphFetchError, SupergraphWatcher, UrlSource, fetch_supergraph
from tests.router.support.reload import (
    ANSWERS,
    GARBAGE,
    NOT_A_SUPERGRAPH,
    QUERY,
    Registry,
    running_federation,
    running_registry,
)
from tests.support.servers import running_server

HEADERS = {"content-type": "application/json"}
DEAD_URL = "http://127.0.0.1:1/supergraph.graphql"  # nothing listens on port 1


@contextlib.asynccontextmanager
async def _router(
    sdl: str, supergraph: dict[str, Any], *, path: Path | None = None
) -> AsyncIterator[tuple[Starlette, SupergraphWatcher, httpx.AsyncClient]]:
    # Polling every hour: the test calls watcher.check() itself.
    config = parse_config({"supergraph": {"poll_interval": 3600, **supergraph}})
    app = create_app(config, sdl, supergraph_path=path)
    async with running_server(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        watcher = app.state.supergraph_watcher
        assert isinstance(watcher, SupergraphWatcher)
        yield app, watcher, client


async def _answer(client: httpx.AsyncClient) -> Any:
    response = await client.post("/graphql", json={"query": QUERY}, headers=HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _reloads(outcome: str) -> float:
    value = REGISTRY.get_sample_value("fitgraph_router_supergraph_reloads_total", {"outcome": outcome})
    return value or 0.0


# -- config ---------------------------------------------------------------------------------


def test_url_config_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"supergraph: path and url are mutually exclusive"):
        parse_config({"supergraph": {"path": "s.graphql", "url": "http://registry/s.graphql"}})
    with pytest.raises(
        ConfigError, match=r"supergraph\.url: 'ftp://registry/s' is not an http:// or https:// URL"
    ):
        parse_config({"supergraph": {"url": "ftp://registry/s"}})
    with pytest.raises(ConfigError, match=r"supergraph\.fetch_timeout"):
        parse_config({"supergraph": {"url": "https://registry/s", "fetch_timeout": 0}})
    settings = parse_config({"supergraph": {"url": "${env.SG_URL:-}"}}, environ={}).supergraph
    assert settings.url is None  # an unset env reference means "no URL"
    settings = parse_config(
        {"supergraph": {"url": "https://registry/s.graphql", "poll_interval": 5}}
    ).supergraph
    assert (settings.url, settings.path, settings.fetch_timeout) == ("https://registry/s.graphql", None, 10.0)


# -- URL source -----------------------------------------------------------------------------


def test_url_source_logs_no_credentials() -> None:
    source = UrlSource("https://router:s3cret@registry.example/supergraph?token=t0ken", timeout=1)
    assert source.location == "https://registry.example/supergraph?…"


async def test_url_source_polls_with_if_none_match() -> None:
    registry = Registry("first")
    async with running_registry(registry) as url:
        source = UrlSource(url, timeout=10)
        try:
            assert await source.poll() == "first"
            assert await source.poll() is None  # unchanged: 304, no body
            registry.publish("second")
            assert await source.poll() == "second"
            assert await source.poll() is None
        finally:
            await source.aclose()
    assert registry.statuses == [200, 304, 200, 304]
    assert "if-none-match" not in registry.requests[0]
    assert registry.requests[1]["if-none-match"] == registry.requests[2]["if-none-match"]
    assert registry.requests[3]["if-none-match"] != registry.requests[1]["if-none-match"]


async def test_url_source_polls_with_if_modified_since() -> None:
    registry = Registry("first", validators="last_modified")
    async with running_registry(registry) as url:
        source = UrlSource(url, timeout=10)
        try:
            assert await source.poll() == "first"
            assert await source.poll() is None
            registry.publish("second")
            assert await source.poll() == "second"
        finally:
            await source.aclose()
    assert registry.statuses == [200, 304, 200]
    assert "if-modified-since" in registry.requests[1] and "if-none-match" not in registry.requests[1]


async def test_url_source_without_validators_downloads_every_time() -> None:
    registry = Registry("same", validators="none")
    async with running_registry(registry) as url:
        source = UrlSource(url, timeout=10)
        try:
            assert [await source.poll(), await source.poll()] == ["same", "same"]
        finally:
            await source.aclose()
    assert registry.statuses == [200, 200]


async def test_url_source_failures_are_logged_and_never_raised() -> None:
    registry = Registry("sdl", status=503)
    async with running_registry(registry) as url:
        source = UrlSource(url, timeout=0.5)
        try:
            with capture_logs() as logs:
                assert await source.poll() is None  # HTTP 503
                assert await source.poll() is None  # the same failure again: not logged again
                registry.status, registry.hang = 200, True
                assert await source.poll() is None  # no answer within the timeout
                registry.hang = False
                assert await source.poll() == "sdl"  # recovered
        finally:
            await source.aclose()
        dead = UrlSource(DEAD_URL, timeout=5)
        try:
            with capture_logs() as dead_logs:
                assert await dead.poll() is None  # connection refused
        finally:
            await dead.aclose()
    events = [(entry["event"], entry["log_level"], entry.get("error")) for entry in logs]
    assert events == [
        ("supergraph_fetch_failed", "warning", "HTTP 503 Service Unavailable"),
        ("supergraph_fetch_failed", "warning", "no answer within 0.5 s"),
        ("supergraph_source_recovered", "info", None),
    ]
    assert [(entry["event"], entry["source"]) for entry in dead_logs] == [
        ("supergraph_fetch_failed", DEAD_URL)
    ]
    assert dead_logs[0]["error"]


async def test_fetch_supergraph_once_says_why_it_failed() -> None:
    registry = Registry("the sdl")
    async with running_registry(registry) as url:
        assert await fetch_supergraph(url, fetch_timeout=10) == "the sdl"
        with pytest.raises(SupergraphFetchError, match=r"^HTTP 404 Not Found$"):
            await fetch_supergraph(url.replace("supergraph.graphql", "missing"), fetch_timeout=10)
    with pytest.raises(SupergraphFetchError, match=r"127\.0\.0\.1:1"):
        await fetch_supergraph(DEAD_URL, fetch_timeout=10)


async def test_file_source_reports_an_unreadable_file(tmp_path: Path) -> None:
    source = FileSource(tmp_path / "absent.graphql")
    with capture_logs() as logs:
        assert await source.poll() is None
    assert [(entry["event"], entry["log_level"]) for entry in logs] == [("supergraph_unreadable", "warning")]


# -- the watcher in a running router --------------------------------------------------------


async def test_url_reload_swaps_valid_and_refuses_invalid_supergraphs() -> None:
    async with running_federation() as federation:
        registry = Registry(federation.sdl("V1"))
        async with (
            running_registry(registry) as url,
            _router(registry.sdl, {"url": url}) as (app, watcher, client),
        ):
            holder = app.state.engine_holder
            first = holder.engine
            before = {outcome: _reloads(outcome) for outcome in ("reloaded", "refused", "poll_failed")}
            assert await _answer(client) == ANSWERS["V1"]
            assert await watcher.check() is False  # the same supergraph: nothing to do

            for refused in (GARBAGE, NOT_A_SUPERGRAPH):
                registry.publish(refused)
                with capture_logs() as logs:
                    assert await watcher.check() is False
                assert [entry["event"] for entry in logs] == ["supergraph_reload_failed"]
                assert logs[0]["log_level"] == "error" and logs[0]["source"] == url
                assert holder.engine is first and await _answer(client) == ANSWERS["V1"]
                assert await watcher.check() is False  # 304: the refused one is not rebuilt

            registry.status = 500  # the registry is sick: keep serving
            assert await watcher.check() is False
            assert await _answer(client) == ANSWERS["V1"]
            assert _reloads("poll_failed") == before["poll_failed"] + 1

            registry.status = 200
            registry.publish(federation.sdl("V2"))
            with capture_logs() as logs:
                assert await watcher.check() is True
            assert [entry["event"] for entry in logs] == [
                "supergraph_source_recovered",
                "supergraph_reloaded",
            ]
            assert holder.supergraph_sdl == federation.sdl("V2") and holder.engine is not first
            assert await _answer(client) == ANSWERS["V2"]
            assert (watcher.reloads, watcher.refusals) == (1, 2)
            assert _reloads("reloaded") == before["reloaded"] + 1
            assert _reloads("refused") == before["refused"] + 2
        # The first poll downloads (the start-up SDL came without validators); then every poll
        # is conditional and an unchanged supergraph costs a 304.
        assert registry.statuses == [200, 200, 304, 200, 304, 500, 200]
        assert all("if-none-match" in request for request in registry.requests[1:])


async def test_file_reload_recovers_when_the_bad_file_is_fixed(tmp_path: Path) -> None:
    async with running_federation() as federation:
        path = tmp_path / "supergraph.graphql"
        path.write_text(federation.sdl("V1"))
        async with _router(path.read_text(), {}, path=path) as (app, watcher, client):
            path.write_text(GARBAGE)
            assert await watcher.check() is False
            assert await watcher.check() is False  # the same bad file is refused once, not rebuilt
            assert watcher.refusals == 1
            path.unlink()  # a file being replaced may be briefly missing
            assert await watcher.check() is False
            assert await _answer(client) == ANSWERS["V1"]
            path.write_text(federation.sdl("V3"))
            assert await watcher.check() is True
            assert await _answer(client) == ANSWERS["V3"]
            path.write_text(GARBAGE)  # refused again after a good one in between
            assert await watcher.check() is False and watcher.refusals == 2


async def test_a_plan_of_the_old_supergraph_is_never_used_after_the_swap(tmp_path: Path) -> None:
    async with running_federation() as federation:
        pricing = federation.subgraphs["pricing"]
        path = tmp_path / "supergraph.graphql"
        path.write_text(federation.sdl("V1"))
        async with _router(path.read_text(), {}, path=path) as (app, watcher, client):
            holder = app.state.engine_holder
            for _ in range(3):  # V1's plan is cached: price comes with the product, no entity fetch
                assert await _answer(client) == ANSWERS["V1"]
            assert len(holder.engine._plans) == 1 and pricing.received == []

            path.write_text(federation.sdl("V3"))  # same query text, price now from PRICING
            assert await watcher.check() is True
            assert len(holder.engine._plans) == 0 and len(holder.engine._documents) == 0
            for _ in range(3):
                assert await _answer(client) == ANSWERS["V3"]
            assert len(pricing.received) == 3  # the new plan's entity fetch, every time
            assert pricing.representations[0] == {"__typename": "Product", "id": "1"}

            path.write_text(federation.sdl("V1"))  # and back: V1 again, not V3's cached plan
            assert await watcher.check() is True
            assert await _answer(client) == ANSWERS["V1"]
            assert len(pricing.received) == 3


async def test_in_flight_requests_finish_on_the_old_engine(tmp_path: Path) -> None:
    async with running_federation() as federation:
        edition_a = federation.editions["a"]
        edition_a.gate = asyncio.Event()
        products_a = federation.subgraphs["products_a"]
        path = tmp_path / "supergraph.graphql"
        path.write_text(federation.sdl("V1"))
        async with _router(path.read_text(), {}, path=path) as (app, watcher, client):
            holder = app.state.engine_holder
            slow = asyncio.create_task(_answer(client))
            await edition_a.entered.wait()  # the request is inside V1's subgraph now
            old = holder.engine

            path.write_text(federation.sdl("V2"))
            assert await watcher.check() is True
            # The same query after the swap: the new plan, not the old one's in-flight execution.
            assert await _answer(client) == ANSWERS["V2"]
            assert not slow.done()

            edition_a.gate.set()
            assert await slow == ANSWERS["V1"]  # finished on the engine it started with
            assert holder.engine is not old
            assert len(products_a.received) == 1


class _TrackedEngine(Engine):
    """The real Engine, recording when it is closed."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True
        await super().aclose()


async def test_replaced_engines_are_closed_after_a_grace_period_and_at_shutdown(tmp_path: Path) -> None:
    engines: list[_TrackedEngine] = []

    def factory(sdl: str, config: RouterConfig) -> _TrackedEngine:
        engines.append(_TrackedEngine(sdl))
        return engines[-1]

    async with running_federation() as federation:
        path = tmp_path / "supergraph.graphql"
        path.write_text(federation.sdl("V1"))
        # Grace period: one subgraph timeout (no retries) plus a second.
        raw = {
            "supergraph": {"poll_interval": 3600},
            "subgraphs": {"timeout": 0.1, "retry": {"enabled": False}},
        }
        app = create_app(parse_config(raw), path.read_text(), supergraph_path=path, engine_factory=factory)
        async with running_server(app):
            watcher = app.state.supergraph_watcher
            path.write_text(federation.sdl("V2"))
            assert await watcher.check() is True
            for _ in range(1000):
                if engines[0].closed:
                    break
                await asyncio.sleep(0.01)
            assert engines[0].closed and not engines[1].closed
            path.write_text(federation.sdl("V3"))
            assert await watcher.check() is True
            assert not engines[1].closed  # still within its grace period
        assert [engine.closed for engine in engines] == [True, True, True]


async def test_a_cached_response_of_the_old_supergraph_is_never_served_after_the_swap(tmp_path: Path) -> None:
    async with running_federation() as federation:
        path = tmp_path / "supergraph.graphql"
        path.write_text(federation.sdl("V1"))
        config = parse_config(
            {
                "supergraph": {"poll_interval": 3600},
                "response_cache": {"enabled": True, "types": {"Product": {"max_age": 300}, "Query": {"max_age": 300}}},
            }
        )
        app = create_app(config, path.read_text(), supergraph_path=path)
        async with running_server(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
            watcher = app.state.supergraph_watcher
            first = await client.post("/graphql", json={"query": QUERY}, headers=HEADERS)
            again = await client.post("/graphql", json={"query": QUERY}, headers=HEADERS)
            assert first.json()["data"] == again.json()["data"] == ANSWERS["V1"]
            assert "max-age=300" in again.headers["cache-control"]  # served from the cache
            path.write_text(federation.sdl("V2"))
            assert await watcher.check() is True
            # The same operation, variables and scope: the old entry must not answer for V2.
            assert await _answer(client) == ANSWERS["V2"]
