"""Proof for issue 6: live reload under load — no failed request while swapping.

The real router (uvicorn on loopback) runs in front of real loopback subgraphs, 20 aiohttp
clients send a steady stream of queries, and meanwhile the supergraph is swapped several times
through the watcher's own polling loop — by rewriting the file, and through a URL served by a
registry with conditional GET — with invalid supergraphs in between. Every response must be a
200 with the exact data of one of the supergraph versions, each version must have served
requests, and the last one must be in use at the end. No timing is asserted: each step waits
for the watcher to act, then for a batch of further responses.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from structlog.testing import capture_logs

from router.app import create_app
from router.config import parse_config
from router.reload import SupergraphWatcher
from tests.router.support.reload import (
    ANSWERS,
    GARBAGE,
    NOT_A_SUPERGRAPH,
    QUERY,
    Federation,
    Registry,
    running_federation,
    running_registry,
)
from tests.support.servers import running_server

CLIENTS = 20
RESPONSES_PER_STEP = 60  # > CLIENTS: most of them started after the step
# Valid versions and refused supergraphs, in order; the last valid one must end up in use.
STEPS = ["V2", GARBAGE, "V3", NOT_A_SUPERGRAPH, "V1", "V2", GARBAGE, "V3"]
_BODY = orjson.dumps({"query": QUERY})
_VALID = {orjson.dumps({"data": answer}): version for version, answer in ANSWERS.items()}


@dataclass
class _Load:
    """What the clients saw: every response's status and body, in completion order."""

    base_url: str
    responses: list[tuple[int, bytes]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    progress: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def client(self) -> None:
        async with aiohttp.ClientSession(base_url=self.base_url) as session:
            while not self.stop.is_set():
                try:
                    async with session.post(
                        "/graphql", data=_BODY, headers={"content-type": "application/json"}
                    ) as response:
                        self.responses.append((response.status, await response.read()))
                except aiohttp.ClientError as error:  # a dropped connection is a failed request
                    self.failures.append(repr(error))
                async with self.progress:
                    self.progress.notify_all()

    async def after(self, count: int) -> None:
        """Wait until `count` more responses have arrived."""
        target = len(self.responses) + count
        async with self.progress:
            await self.progress.wait_for(lambda: len(self.responses) >= target or bool(self.failures))


@contextlib.asynccontextmanager
async def _load(base_url: str) -> AsyncIterator[_Load]:
    load = _Load(base_url)
    clients = [asyncio.create_task(load.client()) for _ in range(CLIENTS)]
    try:
        yield load
    finally:
        load.stop.set()
        await asyncio.gather(*clients)


async def _until(condition: Callable[[], bool], what: str) -> None:
    # A generous bound so a broken watcher fails the test instead of hanging it.
    for _ in range(6000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


async def _swap_under_load(
    federation: Federation,
    watcher: SupergraphWatcher,
    publish: Callable[[str], None],
    load: _Load,
) -> None:
    await load.after(RESPONSES_PER_STEP)
    for step in STEPS:
        valid = step in ANSWERS
        await _acted(watcher, publish, federation.sdl(step) if valid else step, valid=valid)
        await load.after(RESPONSES_PER_STEP)


async def _acted(
    watcher: SupergraphWatcher, publish: Callable[[str], None], text: str, *, valid: bool
) -> None:
    """Publish, then wait for the watcher to swap it in (valid) or refuse it."""
    reloads, refusals = watcher.reloads, watcher.refusals

    def acted() -> bool:
        return watcher.reloads > reloads if valid else watcher.refusals > refusals

    publish(text)
    await _until(acted, "a reload" if valid else "a refusal")


def _check(load: _Load, versions_seen_at_least: set[str]) -> None:
    assert load.failures == []
    assert len(load.responses) >= RESPONSES_PER_STEP * (len(STEPS) + 1)
    bad = [(status, body) for status, body in load.responses if status != 200 or body not in _VALID]
    assert bad == [], bad[:5]
    seen = {_VALID[body] for _, body in load.responses}
    assert seen >= versions_seen_at_least


async def _final_answer(base_url: str) -> Any:
    async with aiohttp.ClientSession(base_url=base_url) as session:
        async with session.post(
            "/graphql", data=_BODY, headers={"content-type": "application/json"}
        ) as response:
            assert response.status == 200
            return orjson.loads(await response.read())


async def test_file_reload_under_load_fails_no_request(tmp_path: Path) -> None:
    async with running_federation() as federation:
        path = tmp_path / "supergraph.graphql"
        path.write_text(federation.sdl("V1"))
        config = parse_config({"supergraph": {"path": str(path), "poll_interval": 0.02}})
        app = create_app(config, federation.sdl("V1"))
        holder = app.state.engine_holder

        def publish(text: str) -> None:
            # Replace, as deployments do (write a temporary file, rename it over the old one):
            # the watcher never reads a half-written file.
            temporary = path.with_suffix(".tmp")
            temporary.write_text(text)
            temporary.replace(path)

        with capture_logs() as logs:
            async with running_server(app) as base_url:
                watcher = app.state.supergraph_watcher
                async with _load(base_url) as load:
                    await _swap_under_load(federation, watcher, publish, load)
                assert await _final_answer(base_url) == {"data": ANSWERS["V3"]}
                assert holder.supergraph_sdl == federation.sdl("V3")
                assert (watcher.reloads, watcher.refusals) == (5, 3)
    _check(load, {"V1", "V2", "V3"})
    events = [entry["event"] for entry in logs if entry["event"].startswith("supergraph_")]
    assert events.count("supergraph_reloaded") == 5 and events.count("supergraph_reload_failed") == 3


async def test_url_reload_under_load_fails_no_request() -> None:
    async with running_federation() as federation:
        registry = Registry(federation.sdl("V1"))
        async with running_registry(registry) as url:
            config = parse_config({"supergraph": {"url": url, "poll_interval": 0.02, "fetch_timeout": 5}})
            app = create_app(config, federation.sdl("V1"))
            holder = app.state.engine_holder
            with capture_logs() as logs:
                async with running_server(app) as base_url:
                    watcher = app.state.supergraph_watcher
                    async with _load(base_url) as load:
                        await _swap_under_load(federation, watcher, registry.publish, load)
                        # The registry fails for a while: requests keep being served.
                        registry.status = 503
                        failed = len(registry.statuses)
                        await _until(lambda: registry.statuses[failed:].count(503) >= 3, "failed polls")
                        await load.after(RESPONSES_PER_STEP)
                        registry.status = 200
                    assert await _final_answer(base_url) == {"data": ANSWERS["V3"]}
                    assert holder.supergraph_sdl == federation.sdl("V3")
                    assert (watcher.reloads, watcher.refusals) == (5, 3)
    _check(load, {"V1", "V2", "V3"})
    assert registry.statuses.count(304) > 0  # unchanged polls were conditional
    events = [entry["event"] for entry in logs if entry["event"].startswith("supergraph_")]
    assert events.count("supergraph_reloaded") == 5 and events.count("supergraph_reload_failed") == 3
    # A registry outage is logged once (not at every poll), and so is its end.
    assert events.count("supergraph_fetch_failed") == 1 and events.count("supergraph_source_recovered") == 1
