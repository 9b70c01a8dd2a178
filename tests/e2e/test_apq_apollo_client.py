"""APQ end to end with a real GraphQL client library: Apollo Client's persisted-queries link
(npm, run under Node) against the router served on loopback over real subgraphs, with the
APQ store in real Redis.

Apollo's protocol (useGETForHashedQueries): run 1 sends a hash-only GET, gets
PERSISTED_QUERY_NOT_FOUND, and retries by POST with the text (registration); run 2 is a
hash-only GET that hits. A recording middleware counts what reached the router.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import redis.asyncio as aioredis

from router.app import create_app
from router.config import parse_config
from tests.router.http.fixtures import Subgraphs, fresh_subgraphs, subgraphs
from tests.router.observability.support import scrape
from tests.support.node import npm_ci, run_node
from tests.support.servers import running_server

__all__ = ["fresh_subgraphs", "subgraphs"]  # the fixtures this module uses

CLIENT_DIR = Path(__file__).resolve().parent / "apq_client"
QUERY = """query ProductWithReviews($id: ID!) {
  product(id: $id) {
    id
    name
    reviews { body stars }
  }
}"""


@dataclass(frozen=True)
class _Seen:
    method: str
    has_query_text: bool
    sha256: str | None


class _Recorder:
    """ASGI middleware noting each GraphQL request: method, whether it carried the text, its hash."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.seen: list[_Seen] = []

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET":
            params = parse_qs(scope["query_string"].decode())
            extensions = json.loads(params.get("extensions", ["{}"])[0])
            self._note("GET", "query" in params, extensions)
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        payload = json.loads(body)
        self._note(scope["method"], bool(payload.get("query")), payload.get("extensions") or {})
        replayed = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _note(self, method: str, has_text: bool, extensions: dict[str, Any]) -> None:
        persisted = extensions.get("persistedQuery") or {}
        self.seen.append(_Seen(method, has_text, persisted.get("sha256Hash")))


async def _ensure_client_installed() -> None:
    await npm_ci(CLIENT_DIR, installed="@apollo/client")


async def _run_apollo(router_url: str, variables: dict[str, Any], runs: int) -> list[Any]:
    env = {
        **os.environ,
        "ROUTER_URL": router_url,
        "QUERY": QUERY,
        "VARIABLES": json.dumps(variables),
        "RUNS": str(runs),
    }
    out = await run_node(CLIENT_DIR / "apq.cjs", env=env)
    results: list[Any] = json.loads(out)["results"]
    return results


async def test_apollo_persisted_query_link_misses_registers_then_hits_by_get(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str
) -> None:
    await _ensure_client_installed()
    # Apollo Client adds __typename to every selection set before hashing and sending.
    config = parse_config({"apq": {"redis_url": redis_url, "redis_prefix": f"{redis_prefix}apq:"}})
    recorder = _Recorder(create_app(config, subgraphs.sdl))
    async with running_server(recorder) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        before = await scrape(http)
        results = await _run_apollo(f"{base_url}/graphql", {"id": "2"}, runs=2)
        after = await scrape(http)

    expected = {
        "product": {
            "__typename": "Product",
            "id": "2",
            "name": "Yoga mat",
            "reviews": [
                {"__typename": "Review", "body": "Too thin", "stars": 2},
                {"__typename": "Review", "body": "Fine", "stars": 4},
            ],
        }
    }
    assert results == [expected, expected]

    # Exactly three requests: miss (hash-only GET), registration (POST with text), hit (hash-only GET).
    assert [(seen.method, seen.has_query_text) for seen in recorder.seen] == [
        ("GET", False),
        ("POST", True),
        ("GET", False),
    ]
    hashes = {seen.sha256 for seen in recorder.seen}
    assert len(hashes) == 1
    [sha256] = hashes
    assert sha256 is not None

    # The hash is the SHA-256 of the text Apollo sent (it adds __typename), and that text now
    # lives in Redis, where every router replica finds it.
    async with aioredis.from_url(redis_url) as redis:
        stored = await redis.get(f"{redis_prefix}apq:{sha256}")
    assert isinstance(stored, bytes) and hashlib.sha256(stored).hexdigest() == sha256
    assert b"__typename" in stored

    apq = "fitgraph_router_apq_requests_total"
    assert after.delta(before, apq, result="miss") == 1
    assert after.delta(before, apq, result="registered") == 1
    assert after.delta(before, apq, result="hit") == 1
    # Both runs executed: two root fetches to products, two entity fetches to reviews.
    assert len(subgraphs.products.received) == 2 and len(subgraphs.reviews.received) == 2


async def test_a_second_router_replica_hits_what_the_first_registered(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str
) -> None:
    await _ensure_client_installed()
    config = parse_config({"apq": {"redis_url": redis_url, "redis_prefix": f"{redis_prefix}apq:"}})
    first = _Recorder(create_app(config, subgraphs.sdl))
    second = _Recorder(create_app(config, subgraphs.sdl))
    async with running_server(first) as first_url, running_server(second) as second_url:
        warm = await _run_apollo(f"{first_url}/graphql", {"id": "1"}, runs=1)
        replica = await _run_apollo(f"{second_url}/graphql", {"id": "1"}, runs=1)
    assert warm == replica
    assert warm[0]["product"]["name"] == "Kettlebell"
    assert [(seen.method, seen.has_query_text) for seen in first.seen] == [("GET", False), ("POST", True)]
    # A fresh Apollo Client on the other replica: its very first hash-only GET is answered.
    assert [(seen.method, seen.has_query_text) for seen in second.seen] == [("GET", False)]
