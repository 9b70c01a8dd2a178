"""Traffic (DESIGN §2 stage 4): token-bucket rate limits per identity, role tier, operation
name and (optionally) cost, with RateLimit-* headers on every answer.

Identity: the verified subject (`sub`), else a known API key (by digest), else the client
address as the transport saw it, never a client-supplied forwarding header (behind a proxy,
run uvicorn with --proxy-headers / --forwarded-allow-ips so the address is the client's).
A caller's tier is its role with the largest bucket, `authenticated` when none matches,
`anonymous` without a token. Place the stage after analysis: it then sees the selected
operation's name and can price it; before analysis it uses `operationName` and cost 1.

A limited operation gets HTTP 429, Retry-After and `RATE_LIMITED` (counted by tier in
`fitgraph_router_rate_limited_total`). A batch (a JSON array, one HTTP response) is answered
with `batch_headers`: the RateLimit-* headers of its most restrictive operation; 429 with
Retry-After only when every operation was limited, otherwise each limited operation carries
its own `RATE_LIMITED` error in the array. When the bucket store fails the configured choice
applies: `fail_open` lets the request through and counts it
(`fitgraph_router_rate_limit_backend_errors_total`), `fail_closed` answers 503.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import structlog
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from prometheus_client import Counter

from router.pipeline import NextStage, Operation, operation_fragments
from router.security.authn import request_claims
from router.security.config import RateLimitConfig
from router.security.ratelimit import (
    BackendUnavailable,
    BucketSpec,
    MemoryBackend,
    RateLimitBackend,
    RedisBackend,
    header_values,
)
from router.stages.errors import request_error
from router.stages.limits import CostEstimates
from router.types import GraphQLResponse

__all__ = [
    "BACKEND_ERRORS",
    "ESTIMATED_COST_ATTRIBUTE",
    "LIMITED_REQUESTS",
    "RATE_LIMIT_HEADERS",
    "RateLimitStage",
    "batch_headers",
    "count_fields",
]

_log = structlog.get_logger("router.ratelimit")

BACKEND_ERRORS = Counter(
    "fitgraph_router_rate_limit_backend_errors_total",
    "Rate-limit checks that could not reach the bucket store, by the outcome applied",
    ["outcome"],
)
LIMITED_REQUESTS = Counter(
    "fitgraph_router_rate_limited_total",
    "Operations refused with 429, by the caller's tier",
    ["tier"],
)
# A previous stage may store an operation's estimated cost here (a number).
ESTIMATED_COST_ATTRIBUTE = "estimated_cost"
_RESERVED_TIERS = frozenset({"anonymous", "authenticated"})
_COST_CACHE = 4096
RATE_LIMIT_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
# Request-level refusals that, when every operation of a batch got the same one, are the
# batch's status: 401 (invalid credentials, shared by the whole batch), 429 (limited), 503
# (bucket store down with fail_closed). The last two carry Retry-After.
_REFUSAL_STATUSES = frozenset({401, 429, 503})
_RETRY_STATUSES = frozenset({429, 503})


def _restriction(headers: dict[str, str]) -> tuple[float, int] | None:
    """Sort key of an answer's RateLimit-* headers: the smaller, the more restrictive (the
    smallest remaining share of its limit, then the longest wait until the bucket is full)."""
    try:
        limit = int(headers["ratelimit-limit"])
        remaining = int(headers["ratelimit-remaining"])
        reset = int(headers["ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    return (remaining / limit if limit > 0 else 0.0, -reset)


def batch_headers(answers: Sequence[GraphQLResponse]) -> tuple[int | None, dict[str, str]]:
    """(HTTP status or None for the transport's default, headers) of one HTTP response that
    carries a batch of operation answers.

    - RateLimit-*: those of the most restrictive operation (draft-ietf-httpapi-ratelimit-headers:
      the client must see the quota that will stop it first).
    - Every operation refused with the same status (429 limited, 503 with the store down and
      `fail_closed`, 401 for invalid credentials): that status, and for 429/503 the longest
      Retry-After, after which every operation of the batch could pass. Otherwise no
      Retry-After: the batch was answered, and each limited operation says so in its own
      `RATE_LIMITED` error.
    - Any other header only when every operation agrees on its value: one operation's e.g.
      `cache-control: public` must never describe another operation's private answer.
    """
    headers: dict[str, str] = {}
    if not answers:
        return None, headers
    first, *rest = answers
    for name, value in first.headers.items():
        if name in RATE_LIMIT_HEADERS or name == "retry-after":
            continue
        if all(other.headers.get(name) == value for other in rest):
            headers[name] = value
    ranked = [(key, answer) for answer in answers if (key := _restriction(answer.headers)) is not None]
    if ranked:
        tightest = min(ranked, key=lambda entry: entry[0])[1]
        headers.update({name: tightest.headers[name] for name in RATE_LIMIT_HEADERS})
    status = first.status_code
    if status in _REFUSAL_STATUSES and all(answer.status_code == status for answer in rest):
        if status in _RETRY_STATUSES:
            waits = [int(answer.headers.get("retry-after", "1")) for answer in answers]
            headers["retry-after"] = str(max(1, *waits))
        return status, headers
    return None, headers


def count_fields(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]) -> int:
    """Field selections once fragments are expanded (each fragment counted once per spread)."""
    memo: dict[str, int] = {}

    def count(node: SelectionSetNode, active: frozenset[str]) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += 1
                if selection.selection_set is not None:
                    total += count(selection.selection_set, active)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, active)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in active:
                    continue
                if name not in memo:
                    memo[name] = count(fragment.selection_set, active | {name})
                total += memo[name]
        return total

    return count(selection_set, frozenset())


class RateLimitStage:
    __slots__ = ("_backend", "_config", "_costs", "_estimate", "_estimates", "backend_failures")

    def __init__(
        self,
        config: RateLimitConfig,
        *,
        backend: RateLimitBackend | None = None,
        estimate: Callable[[Operation], float | None] | None = None,
    ) -> None:
        """`estimate` plugs in another stage's cost estimator (used with `cost: fields`; None
        from it falls back to the built-in field count)."""
        self._config = config
        self._estimate = estimate
        if backend is None:
            if config.backend == "redis":
                assert config.redis_url is not None  # enforced by the config model
                backend = RedisBackend.from_url(
                    config.redis_url, prefix=config.redis_prefix, timeout=config.redis_timeout
                )
            else:
                backend = MemoryBackend(max_buckets=config.memory_max_buckets)
        self._backend: RateLimitBackend = backend
        self._costs: OrderedDict[tuple[str, str | None], int] = OrderedDict()
        self._estimates = CostEstimates(config.default_list_size)  # cost "estimated"
        # Checks let through because the store failed (fail_open), for /metrics and tests.
        self.backend_failures = 0

    async def aclose(self) -> None:
        await self._backend.aclose()

    def _identity(self, operation: Operation) -> tuple[str, str]:
        """(identity, tier)"""
        claims = request_claims(operation.context)
        if claims is not None:
            tiers = self._config.tiers
            matching = [role for role in claims.roles if role in tiers and role not in _RESERVED_TIERS]
            tier = (
                max(matching, key=lambda role: (tiers[role].capacity, role)) if matching else "authenticated"
            )
            return f"user:{claims.subject}", tier
        header = self._config.api_key_header
        api_key = operation.context.client_headers.get(header) if header else None
        if api_key:
            digest = hashlib.sha256(api_key.encode()).hexdigest()
            if digest in self._config.api_keys:
                # Keys are credentials: only (part of) a digest ever reaches Redis.
                return f"key:{digest[:32]}", "anonymous"
        return f"ip:{operation.context.client_address or 'unknown'}", "anonymous"

    def _cost(self, operation: Operation) -> int:
        if self._config.cost == "none":
            return 1
        if self._config.cost == "estimated" and operation.prepared is not None:
            return self._estimated(operation)
        estimated: Any = self._estimate(operation) if self._estimate is not None else None
        if estimated is None:
            estimated = operation.context.attributes.get(ESTIMATED_COST_ATTRIBUTE)
        if isinstance(estimated, int | float) and not isinstance(estimated, bool) and estimated >= 1:
            return math.ceil(estimated)
        prepared = operation.prepared
        if prepared is None:
            return 1
        key = (prepared.document_hash, prepared.operation_name)
        cost = self._costs.get(key)
        if cost is None:
            cost = max(1, count_fields(prepared.operation.selection_set, operation_fragments(prepared)))
            self._costs[key] = cost
            if len(self._costs) > _COST_CACHE:
                self._costs.popitem(last=False)
        return cost

    def _estimated(self, operation: Operation) -> int:
        estimated = self._estimates.of(operation)
        # At least 1 (an operation of leaves only still counts); capped to a bucket by the caller.
        return max(1, math.ceil(estimated)) if math.isfinite(estimated) else 2**62

    def _buckets(self, operation: Operation) -> tuple[str, list[BucketSpec]]:
        """(tier, buckets to take from)"""
        identity, tier = self._identity(operation)
        # Hash tag: every key of one check lands in one Redis Cluster slot.
        tag = "{" + quote(identity, safe=":.@-_") + "}"
        tier_bucket = self._config.tiers[tier]
        buckets = [BucketSpec(f"{tag}:tier:{tier}", tier_bucket.capacity, tier_bucket.refill_per_second)]
        prepared = operation.prepared
        name = prepared.operation_name if prepared is not None else operation.request.operation_name
        if name is not None:
            per_operation = self._config.operations.get(name)
            if per_operation is not None:
                buckets.append(
                    BucketSpec(
                        f"{tag}:op:{quote(name)}", per_operation.capacity, per_operation.refill_per_second
                    )
                )
        return tier, buckets

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        if not self._config.enabled:
            return await call_next(operation)
        tier, buckets = self._buckets(operation)
        # A request never costs more than a full bucket, or it could never pass.
        cost = min(self._cost(operation), *(bucket.capacity for bucket in buckets))
        try:
            decision = await self._backend.take(buckets, cost)
        except BackendUnavailable as error:
            request_id = operation.context.request_id
            if self._config.on_backend_error == "fail_open":
                self.backend_failures += 1
                BACKEND_ERRORS.labels(outcome="allowed").inc()
                _log.warning(
                    "rate_limit_backend_down", request_id=request_id, outcome="allowed", error=str(error)
                )
                return await call_next(operation)
            BACKEND_ERRORS.labels(outcome="refused").inc()
            _log.error("rate_limit_backend_down", request_id=request_id, outcome="refused", error=str(error))
            return request_error(
                "Rate limiting is temporarily unavailable; the request was not processed. Retry shortly.",
                "SERVICE_UNAVAILABLE",
                status=503,
                headers={"retry-after": "1"},
            )
        headers = header_values(decision)
        if not decision.allowed:
            LIMITED_REQUESTS.labels(tier=tier).inc()
            return request_error(
                f"Rate limit exceeded; retry in {headers['retry-after']} s",
                "RATE_LIMITED",
                status=429,
                headers=headers,
            )
        response = await call_next(operation)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
