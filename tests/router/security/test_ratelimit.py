"""Token buckets: the in-memory backend (manual clock), the Redis backend (one atomic script,
shared across instances), the stage's identities / tiers / operations / cost, headers and
the 429 shape, and fail-open / fail-closed with a Redis that refuses connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from pydantic import ValidationError

from auth.claims import Claims
from router.security.authn import CLAIMS_ATTRIBUTE
from router.security.config import RateLimitConfig
from router.security.ratelimit import (
    BackendUnavailable,
    BucketSpec,
    MemoryBackend,
    RedisBackend,
    header_values,
)
from router.stages.ratelimit import (
    BACKEND_ERRORS,
    ESTIMATED_COST_ATTRIBUTE,
    LIMITED_REQUESTS,
    RateLimitStage,
    count_fields,
)
from router.types import GraphQLResponse, RequestContext
from tests.router.security.support import Terminal, make_operation
from tests.support.servers import free_port


class ManualClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def spec(key: str = "k", capacity: int = 3, rate: float = 1.0) -> BucketSpec:
    return BucketSpec(key, capacity, rate)


@pytest.fixture
async def redis_backend(redis_url: str, redis_prefix: str) -> AsyncIterator[RedisBackend]:
    backend = RedisBackend.from_url(redis_url, prefix=redis_prefix, timeout=2.0)
    yield backend
    await backend.aclose()


# -- in-memory backend ----------------------------------------------------------------------


async def test_memory_bucket_empties_then_refills_with_time() -> None:
    clock = ManualClock()
    backend = MemoryBackend(clock=clock)
    outcomes = [(await backend.take([spec()], 1)).allowed for _ in range(4)]
    assert outcomes == [True, True, True, False]
    refused = await backend.take([spec()], 1)
    assert refused.retry_after == pytest.approx(1.0)
    clock.now += 1.5
    allowed = await backend.take([spec()], 1)
    assert allowed.allowed
    assert allowed.buckets[0].remaining == pytest.approx(0.5)
    # Refill never exceeds the capacity.
    clock.now += 1000
    assert (await backend.take([spec()], 1)).buckets[0].remaining == pytest.approx(2.0)


async def test_memory_take_is_all_or_nothing_across_buckets() -> None:
    backend = MemoryBackend(clock=ManualClock())
    small, large = spec("small", 1), spec("large", 10)
    assert (await backend.take([small, large], 1)).allowed
    refused = await backend.take([small, large], 1)
    assert not refused.allowed
    # The large bucket lost nothing to the refused request.
    assert refused.buckets[1].remaining == pytest.approx(9.0)
    assert refused.tightest is not None and refused.tightest.spec.key == "small"


async def test_memory_backend_forgets_the_least_recently_used_buckets() -> None:
    backend = MemoryBackend(max_buckets=3, clock=ManualClock())
    for index in range(5):
        await backend.take([spec(f"k{index}")], 1)
    assert len(backend) == 3


# -- Redis backend --------------------------------------------------------------------------


async def test_redis_two_limiters_share_one_bucket(redis_url: str, redis_prefix: str) -> None:
    first = RedisBackend.from_url(redis_url, prefix=redis_prefix, timeout=2.0)
    second = RedisBackend.from_url(redis_url, prefix=redis_prefix, timeout=2.0)
    try:
        bucket = spec("{user:1}:tier:user", capacity=4, rate=0.001)
        results = []
        for backend in (first, second, first, second, first):
            results.append(await backend.take([bucket], 1))
        assert [decision.allowed for decision in results] == [True, True, True, True, False]
        assert [round(decision.buckets[0].remaining) for decision in results] == [3, 2, 1, 0, 0]
        assert results[-1].retry_after > 0
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_check_is_atomic_under_concurrency(redis_backend: RedisBackend) -> None:
    bucket = spec("{ip:10.0.0.1}:tier:anonymous", capacity=10, rate=0.001)
    decisions = await asyncio.gather(*(redis_backend.take([bucket], 1) for _ in range(25)))
    assert sum(decision.allowed for decision in decisions) == 10


async def test_redis_all_or_nothing_and_refill(
    redis_backend: RedisBackend, redis_url: str, redis_prefix: str
) -> None:
    # Slow refills: the few milliseconds between checks cannot matter.
    tier, operation = spec("{u:2}:tier:user", 5, 0.001), spec("{u:2}:op:Export", 1, 0.001)
    assert (await redis_backend.take([tier, operation], 1)).allowed
    refused = await redis_backend.take([tier, operation], 1)
    assert not refused.allowed
    assert 990 < refused.retry_after <= 1000
    assert refused.buckets[0].remaining == pytest.approx(4.0, abs=0.01)
    client = aioredis.from_url(redis_url)
    try:
        # Refill without waiting: move the operation bucket's timestamp 2000 s into the past.
        key = redis_prefix + operation.key
        stored = await client.hget(key, "ts")
        assert stored is not None
        await client.hset(key, "ts", str(float(stored) - 2_000_000))
        refilled = await redis_backend.take([tier, operation], 1)
        assert refilled.allowed
        assert refilled.buckets[1].remaining == pytest.approx(0.0, abs=0.01)
        # Keys expire once the bucket would be full anyway (1 token at 0.001/s: 1000 s).
        ttl = await client.pttl(key)
        assert 990_000 < ttl <= 1_001_000
    finally:
        await client.aclose()


async def test_redis_refusing_connections_raises_backend_unavailable() -> None:
    backend = RedisBackend.from_url(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    try:
        with pytest.raises(BackendUnavailable):
            await backend.take([spec()], 1)
    finally:
        await backend.aclose()


# -- the stage ------------------------------------------------------------------------------


def config(**overrides: Any) -> RateLimitConfig:
    settings: dict[str, Any] = {
        "tiers": {
            "anonymous": {"capacity": 2, "refill_per_second": 0.01},
            "authenticated": {"capacity": 3, "refill_per_second": 0.01},
            "admin": {"capacity": 5, "refill_per_second": 0.01},
            "bi": {"capacity": 4, "refill_per_second": 0.01},
        },
        **overrides,
    }
    return RateLimitConfig.model_validate(settings)


def signed_in(subject: str, *roles: str) -> RequestContext:
    context = RequestContext(request_id="r", client_address="10.1.1.1")
    context.attributes[CLAIMS_ATTRIBUTE] = Claims(
        subject=subject, roles=frozenset(roles), scopes=frozenset(), issued_at=0, expires_at=0, token_id="t"
    )
    return context


async def limits_seen(stage: RateLimitStage, count: int, **kwargs: Any) -> list[GraphQLResponse]:
    terminal = Terminal()
    return [await stage(make_operation(**kwargs), terminal) for _ in range(count)]


async def test_headers_on_every_response_and_the_429_shape() -> None:
    stage = RateLimitStage(config())
    responses = await limits_seen(stage, 3)
    assert [response.headers["ratelimit-remaining"] for response in responses] == ["1", "0", "0"]
    assert all(response.headers["ratelimit-limit"] == "2" for response in responses)
    limited = responses[2]
    assert limited.status_code == 429
    assert limited.is_request_error
    assert limited.body == {
        "errors": [
            {
                "message": f"Rate limit exceeded; retry in {limited.headers['retry-after']} s",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ]
    }
    assert int(limited.headers["retry-after"]) == 100  # one token at 0.01 per second
    assert "retry-after" not in responses[0].headers


async def test_identity_is_the_subject_then_api_key_then_address() -> None:
    import hashlib

    stage = RateLimitStage(config(api_keys=[hashlib.sha256(b"k-123").hexdigest()]))
    # Two addresses: two buckets.
    assert all(r.status_code is None for r in await limits_seen(stage, 2, client_address="10.0.0.1"))
    assert all(r.status_code is None for r in await limits_seen(stage, 2, client_address="10.0.0.2"))
    # An API key gets its own bucket, whatever the address.
    keyed = await limits_seen(stage, 3, headers={"x-api-key": "k-123"}, client_address="10.0.0.1")
    assert [r.status_code for r in keyed] == [None, None, 429]
    # Made-up keys are not identities: they cannot escape the per-address bucket.
    made_up = await limits_seen(stage, 1, headers={"x-api-key": "k-999"}, client_address="10.0.0.1")
    assert made_up[0].status_code == 429
    # A signed-in caller is limited per subject, not per address (same address as above).
    terminal = Terminal()
    user = [await stage(make_operation(context=signed_in("u-9", "user")), terminal) for _ in range(4)]
    assert [r.status_code for r in user] == [None, None, None, 429]
    # x-user-id is not identity: it changes nothing for an anonymous caller.
    spoofed = await limits_seen(stage, 1, headers={"x-user-id": "u-1"}, client_address="10.0.0.1")
    assert spoofed[0].status_code == 429


async def test_role_tiers_pick_the_largest_matching_bucket() -> None:
    stage = RateLimitStage(config())
    terminal = Terminal()
    limited_before = LIMITED_REQUESTS.labels(tier="admin")._value.get()
    admin = [await stage(make_operation(context=signed_in("a-1", "admin", "bi")), terminal) for _ in range(6)]
    assert admin[0].headers["ratelimit-limit"] == "5"
    assert [r.status_code for r in admin] == [None] * 5 + [429]
    assert LIMITED_REQUESTS.labels(tier="admin")._value.get() == limited_before + 1
    analyst = await stage(make_operation(context=signed_in("b-1", "bi")), terminal)
    assert analyst.headers["ratelimit-limit"] == "4"


async def test_per_operation_bucket() -> None:
    stage = RateLimitStage(config(operations={"Export": {"capacity": 1, "refill_per_second": 0.01}}))
    exports = await limits_seen(
        stage, 2, query="query Export { __typename }", operation_name="Export", client_address="10.9.0.1"
    )
    assert [r.status_code for r in exports] == [None, 429]
    assert exports[0].headers["ratelimit-limit"] == "1"
    # Other operations of the same caller still pass (their tier bucket has a token left).
    other = await limits_seen(
        stage, 1, query="query Other { __typename }", operation_name="Other", client_address="10.9.0.1"
    )
    assert other[0].status_code is None


async def test_cost_by_fields_and_by_a_previous_estimate() -> None:
    stage = RateLimitStage(
        config(
            cost="fields",
            tiers={
                "anonymous": {"capacity": 10, "refill_per_second": 0.01},
                "authenticated": {"capacity": 10, "refill_per_second": 0.01},
            },
        )
    )
    from graphql import parse

    from router.engine import PreparedOperation

    document = parse("query Q { a { b c } ...F } fragment F on Query { d }")
    operation = make_operation(client_address="10.7.0.1")
    operation.prepared = PreparedOperation(
        document=document,
        operation=document.definitions[0],  # type: ignore[arg-type]
        operation_type="query",
        operation_name="Q",
        document_hash="h1",
    )
    response = await stage(operation, Terminal())
    assert response.headers["ratelimit-remaining"] == "6"  # a, b, c, d
    costly = make_operation(client_address="10.7.0.2")
    costly.context.attributes[ESTIMATED_COST_ATTRIBUTE] = 1_000
    # Never more than a full bucket, or the request could never pass.
    response = await stage(costly, Terminal())
    assert response.status_code is None and response.headers["ratelimit-remaining"] == "0"


async def test_cost_from_a_plugged_in_estimator() -> None:
    settings = config(
        cost="fields",
        tiers={
            "anonymous": {"capacity": 10, "refill_per_second": 0.01},
            "authenticated": {"capacity": 10, "refill_per_second": 0.01},
        },
    )
    stage = RateLimitStage(settings, estimate=lambda operation: 2.5)
    response = await stage(make_operation(client_address="10.7.1.1"), Terminal())
    assert response.headers["ratelimit-remaining"] == "7"  # 2.5 rounds up to 3


def test_count_fields_expands_fragments() -> None:
    from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

    document = parse("{ a { ...F ...F } } fragment F on A { x y { z } }")
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    assert count_fields(operation.selection_set, fragments) == 7


async def test_fail_open_lets_requests_through_and_counts() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    stage = RateLimitStage(
        config(backend="redis", redis_url=dead, redis_timeout=0.5, on_backend_error="fail_open")
    )
    before = BACKEND_ERRORS.labels(outcome="allowed")._value.get()
    try:
        responses = await limits_seen(stage, 2)
    finally:
        await stage.aclose()
    assert [r.body for r in responses] == [{"data": {"ok": True}}] * 2
    assert stage.backend_failures == 2
    assert BACKEND_ERRORS.labels(outcome="allowed")._value.get() == before + 2


async def test_fail_closed_answers_503() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    stage = RateLimitStage(
        config(backend="redis", redis_url=dead, redis_timeout=0.5, on_backend_error="fail_closed")
    )
    terminal = Terminal()
    try:
        response = await stage(make_operation(), terminal)
    finally:
        await stage.aclose()
    assert response.status_code == 503
    assert response.body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Rate limiting is temporarily unavailable" in response.body["errors"][0]["message"]
    assert response.headers["retry-after"] == "1"
    assert terminal.reached == []


async def test_stage_with_real_redis(redis_url: str, redis_prefix: str) -> None:
    settings = config(backend="redis", redis_url=redis_url, redis_prefix=redis_prefix)
    first, second = RateLimitStage(settings), RateLimitStage(settings)
    try:
        terminal = Terminal()
        codes = [
            (await stage(make_operation(client_address="192.0.2.1"), terminal)).status_code
            for stage in (first, second, first)
        ]
    finally:
        await first.aclose()
        await second.aclose()
    # Two router replicas, one bucket of 2.
    assert codes == [None, None, 429]


def test_header_values_round_sensibly() -> None:
    from router.security.ratelimit import BucketState, Decision

    decision = Decision(False, 0.2, (BucketState(spec("k", 10, 1.0), 0.7, 9.3),))
    assert header_values(decision) == {
        "ratelimit-limit": "10",
        "ratelimit-remaining": "0",
        "ratelimit-reset": "10",
        "retry-after": "1",
    }


def test_config_validation() -> None:
    with pytest.raises(ValidationError, match="requires `redis_url`"):
        RateLimitConfig.model_validate({"backend": "redis"})
    with pytest.raises(ValidationError, match="anonymous"):
        RateLimitConfig.model_validate({"tiers": {"admin": {"capacity": 1, "refill_per_second": 1}}})
    with pytest.raises(ValidationError, match="Extra inputs"):
        RateLimitConfig.model_validate({"on_backend_eror": "fail_open"})
    with pytest.raises(ValidationError):
        RateLimitConfig.model_validate({"tiers": {"anonymous": {"capacity": 0, "refill_per_second": 1}}})
    with pytest.raises(ValidationError, match="SHA-256 hex digests"):
        RateLimitConfig.model_validate({"api_keys": ["plain-secret-key"]})


async def test_bucket_keys_share_one_hash_tag_whatever_the_subject(redis_url: str, redis_prefix: str) -> None:
    settings = config(
        backend="redis",
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        operations={"Export": {"capacity": 3, "refill_per_second": 0.01}},
    )
    stage = RateLimitStage(settings)
    operation = make_operation(
        "query Export { __typename }", context=signed_in("evil}{sub", "user"), operation_name="Export"
    )
    try:
        response = await stage(operation, Terminal())
    finally:
        await stage.aclose()
    assert response.status_code is None
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        keys = sorted([key async for key in client.scan_iter(match=f"{redis_prefix}*")])
    finally:
        await client.aclose()
    tag = "{user:evil%7D%7Bsub}"
    assert keys == [f"{redis_prefix}{tag}:op:Export", f"{redis_prefix}{tag}:tier:authenticated"]
