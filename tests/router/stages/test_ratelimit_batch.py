"""Rate limits on batched requests (a JSON array body), over HTTP through the real transport,
with the memory backend and with real Redis: the response carries the RateLimit-* headers of
the most restrictive operation, a fully limited batch is 429 + Retry-After, and a partially
limited batch is 200 with a RATE_LIMITED error in the place of each limited operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from router.security.config import RateLimitConfig
from router.stages.ratelimit import batch_headers
from router.types import GraphQLResponse
from tests.router.security.fixtures import Backends, backends, fresh_backends, serve_secured_router
from tests.subgraphs.users.harness import redis_key_prefix

__all__ = ["backends", "fresh_backends"]

JSON = {"content-type": "application/json"}
MOTD = {"query": "{ motd }"}
MOTD_ANSWER = {"data": {"motd": "Keep moving"}}
# Distinct documents: identical subgraph fetches in flight would share one call.
OTHER = {"query": "{ other: motd }"}
OTHER_ANSWER = {"data": {"other": "Keep moving"}}


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[dict[str, Any]]:
    """The bucket-store part of a RateLimitConfig: each test gets fresh buckets."""
    if request.param == "memory":
        yield {"backend": "memory"}
        return
    async with redis_key_prefix() as prefix:
        yield {"backend": "redis", "redis_url": redis_url, "redis_prefix": prefix}


def limits(backend: dict[str, Any], **extra: Any) -> RateLimitConfig:
    return RateLimitConfig.model_validate(
        {
            **backend,
            "tiers": {
                "anonymous": {"capacity": 3, "refill_per_second": 0.001},
                "authenticated": {"capacity": 50, "refill_per_second": 0.001},
            },
            **extra,
        }
    )


async def post_batch(
    client: httpx.AsyncClient, batch: list[dict[str, Any]], token: str | None = None
) -> httpx.Response:
    headers = dict(JSON)
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", content=orjson.dumps(batch), headers=headers)


def codes(response: httpx.Response) -> list[str | None]:
    """Per operation of the batch: its error code, or None when it got data."""
    result: list[str | None] = []
    for body in response.json():
        result.append(body["errors"][0]["extensions"]["code"] if "errors" in body else None)
    return result


async def test_batch_headers_then_partial_then_full_limit(
    backends: Backends, backend: dict[str, Any]
) -> None:
    async with serve_secured_router(backends, rate_limit=limits(backend)) as client:
        served = await post_batch(client, [MOTD, OTHER])
        partial = await post_batch(client, [MOTD, OTHER])
        limited = await post_batch(client, [MOTD, OTHER])
    # Both operations took a token from the caller's bucket of 3: one is left.
    assert served.status_code == 200
    assert served.json() == [MOTD_ANSWER, OTHER_ANSWER]
    assert (served.headers["ratelimit-limit"], served.headers["ratelimit-remaining"]) == ("3", "1")
    assert int(served.headers["ratelimit-reset"]) > 0
    assert "retry-after" not in served.headers
    # One token for two operations: one answered, the other refused in its own place.
    assert partial.status_code == 200
    assert sorted(codes(partial), key=str) == [None, "RATE_LIMITED"]
    assert MOTD_ANSWER in partial.json() or OTHER_ANSWER in partial.json()
    assert (partial.headers["ratelimit-limit"], partial.headers["ratelimit-remaining"]) == ("3", "0")
    assert "retry-after" not in partial.headers
    # Nothing left: the whole batch is refused like a single limited request.
    assert limited.status_code == 429
    assert codes(limited) == ["RATE_LIMITED", "RATE_LIMITED"]
    assert all("data" not in body for body in limited.json())
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-remaining"] == "0"
    # Only the three operations that passed reached the subgraph.
    assert len(backends.accounts.received) == 3


async def test_the_most_restrictive_operation_names_the_headers(
    backends: Backends, backend: dict[str, Any]
) -> None:
    # A per-operation bucket (2) much tighter than the caller's tier (50).
    config = limits(backend, operations={"Motd": {"capacity": 2, "refill_per_second": 0.001}})
    token = backends.token("batch-rl")
    batch = [{"query": "query Other { motd }"}, {"query": "query Motd { motd }"}, {"query": "{ motd }"}]
    async with serve_secured_router(backends, rate_limit=config) as client:
        first = await post_batch(client, batch, token)
        reversed_order = await post_batch(client, list(reversed(batch)), token)
    assert first.status_code == 200 and codes(first) == [None, None, None]
    # Not the last operation's view (the tier bucket, 50 - 3): the Motd bucket, 2 - 1.
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("2", "1")
    assert reversed_order.status_code == 200 and codes(reversed_order) == [None, None, None]
    assert (reversed_order.headers["ratelimit-limit"], reversed_order.headers["ratelimit-remaining"]) == (
        "2",
        "0",
    )


async def test_a_batch_with_an_invalid_token_is_one_401(backends: Backends, backend: dict[str, Any]) -> None:
    async with serve_secured_router(backends, rate_limit=limits(backend)) as client:
        refused = await post_batch(client, [MOTD, OTHER], token="not-a-jwt")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert codes(refused) == ["UNAUTHENTICATED", "UNAUTHENTICATED"]
    assert backends.accounts.received == []


async def test_a_single_request_keeps_its_own_headers(backends: Backends, backend: dict[str, Any]) -> None:
    async with serve_secured_router(backends, rate_limit=limits(backend)) as client:
        single = await client.post("/graphql", content=orjson.dumps(MOTD), headers=JSON)
    assert single.status_code == 200 and single.json() == MOTD_ANSWER
    assert (single.headers["ratelimit-limit"], single.headers["ratelimit-remaining"]) == ("3", "2")


def _answer(headers: dict[str, str] | None = None, status: int | None = None) -> GraphQLResponse:
    return GraphQLResponse(body={"data": None}, status_code=status, headers=dict(headers or {}))


def test_batch_headers_rules() -> None:
    # Rate-limit headers from the smallest remaining share; ties go to the longest reset.
    status, headers = batch_headers(
        [
            _answer({"ratelimit-limit": "10", "ratelimit-remaining": "5", "ratelimit-reset": "1"}),
            _answer({"ratelimit-limit": "4", "ratelimit-remaining": "1", "ratelimit-reset": "3"}),
            _answer({"ratelimit-limit": "8", "ratelimit-remaining": "2", "ratelimit-reset": "9"}),
        ]
    )
    assert status is None
    assert headers == {"ratelimit-limit": "8", "ratelimit-remaining": "2", "ratelimit-reset": "9"}
    # Every operation limited: 429 and the longest wait.
    limited = {"ratelimit-limit": "4", "ratelimit-remaining": "0", "ratelimit-reset": "4"}
    status, headers = batch_headers(
        [_answer({**limited, "retry-after": "2"}, 429), _answer({**limited, "retry-after": "5"}, 429)]
    )
    assert status == 429 and headers["retry-after"] == "5"
    # Store down with fail_closed for every operation: 503 stays a 503.
    status, headers = batch_headers([_answer({"retry-after": "1"}, 503)] * 2)
    assert (status, headers) == (503, {"retry-after": "1"})
    # Invalid credentials refuse every operation alike: the batch is a 401 with its challenge.
    challenge = {"www-authenticate": 'Bearer error="invalid_token"'}
    assert batch_headers([_answer(challenge, 401)] * 2) == (401, challenge)
    # Mixed refusals are a partial answer: no status, no Retry-After.
    status, headers = batch_headers([_answer({"retry-after": "2"}, 429), _answer()])
    assert (status, headers) == (None, {})
    # Other headers only when every operation agrees (one answer's cache policy never
    # describes another's).
    status, headers = batch_headers(
        [
            _answer({"cache-control": "public, max-age=60", "x-shared": "1"}),
            _answer({"cache-control": "private, max-age=60", "x-shared": "1"}),
        ]
    )
    assert (status, headers) == (None, {"x-shared": "1"})
    assert batch_headers([]) == (None, {})
