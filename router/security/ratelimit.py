"""Token buckets: a Redis backend (one atomic Lua script per check, shared by every router
replica) and an in-memory backend for a single node.

A check takes `cost` tokens from several buckets at once (the caller's tier bucket and, when
configured, its per-operation bucket): all or nothing, so a refused request consumes nothing.
A bucket of capacity C refilled at R tokens/s holds min(C, tokens + elapsed × R); the Redis
script reads the clock with TIME so replicas with skewed clocks still agree. Keys carry the
identity in a hash tag (`{…}`) so one check's keys share a Redis Cluster slot.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

__all__ = [
    "BackendUnavailable",
    "BucketSpec",
    "BucketState",
    "Decision",
    "MemoryBackend",
    "RateLimitBackend",
    "RedisBackend",
    "header_values",
]


class BackendUnavailable(Exception):
    """The bucket store could not answer (Redis down, slow or refusing connections)."""


@dataclass(frozen=True, slots=True)
class BucketSpec:
    key: str
    capacity: int
    refill_per_second: float


@dataclass(frozen=True, slots=True)
class BucketState:
    spec: BucketSpec
    remaining: float
    # Seconds until the bucket is full again.
    reset_after: float


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    # Seconds until the request could pass (0 when allowed).
    retry_after: float
    buckets: tuple[BucketState, ...]

    @property
    def tightest(self) -> BucketState | None:
        """The bucket closest to empty (relative to its size): what the headers describe."""
        if not self.buckets:
            return None
        return min(self.buckets, key=lambda state: state.remaining / state.spec.capacity)


class RateLimitBackend(Protocol):
    async def take(self, buckets: Sequence[BucketSpec], cost: float) -> Decision: ...
    async def aclose(self) -> None: ...


def _decide(
    buckets: Sequence[BucketSpec], levels: Sequence[float], cost: float
) -> tuple[bool, float, list[float]]:
    """Shared arithmetic of both backends: (allowed, retry_after, levels after the take)."""
    allowed = all(level >= cost for level in levels)
    retry = 0.0
    if not allowed:
        retry = max(
            (cost - level) / spec.refill_per_second
            for spec, level in zip(buckets, levels, strict=True)
            if level < cost
        )
    after = [level - cost if allowed else level for level in levels]
    return allowed, retry, after


class MemoryBackend:
    """Buckets in this process; the least recently used are forgotten beyond `max_buckets`
    (a forgotten bucket restarts full, which only ever favours the caller)."""

    def __init__(self, *, max_buckets: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_buckets
        self._clock = clock
        # key -> (tokens, timestamp)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    async def take(self, buckets: Sequence[BucketSpec], cost: float) -> Decision:
        now = self._clock()
        levels: list[float] = []
        for spec in buckets:
            tokens, stamp = self._buckets.get(spec.key, (float(spec.capacity), now))
            levels.append(min(float(spec.capacity), tokens + max(0.0, now - stamp) * spec.refill_per_second))
        # No await between reading and writing: atomic on the event loop.
        allowed, retry, after = _decide(buckets, levels, cost)
        states = []
        for spec, level in zip(buckets, after, strict=True):
            self._buckets[spec.key] = (level, now)
            self._buckets.move_to_end(spec.key)
            states.append(BucketState(spec, level, (spec.capacity - level) / spec.refill_per_second))
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return Decision(allowed, retry, tuple(states))

    async def aclose(self) -> None:
        self._buckets.clear()


# KEYS: bucket keys. ARGV[1]: cost; then per key: capacity, refill per millisecond.
# Returns {allowed, retry_ms, level_1, reset_ms_1, level_2, …}; levels as strings because
# Redis truncates Lua numbers to integers.
_TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local levels = {}
local allowed = 1
local retry = 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local stored = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(stored[1])
  local stamp = tonumber(stored[2])
  if tokens == nil or stamp == nil then
    tokens = capacity
    stamp = now
  end
  local elapsed = now - stamp
  if elapsed < 0 then elapsed = 0 end
  tokens = math.min(capacity, tokens + elapsed * rate)
  levels[i] = tokens
  if tokens < cost then
    allowed = 0
    local wait = math.ceil((cost - tokens) / rate)
    if wait > retry then retry = wait end
  end
end
local result = {allowed, retry}
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local tokens = levels[i]
  if allowed == 1 then tokens = tokens - cost end
  local full_in = math.ceil((capacity - tokens) / rate)
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], full_in + 1000)
  result[#result + 1] = tostring(tokens)
  result[#result + 1] = full_in
end
return result
"""


class RedisBackend:
    """Buckets in Redis; every check is one EVALSHA of `_TAKE_SCRIPT`."""

    def __init__(self, client: Any, *, prefix: str = "fitgraph:ratelimit:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_TAKE_SCRIPT)

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "fitgraph:ratelimit:", timeout: float = 0.25
    ) -> RedisBackend:
        import redis.asyncio as aioredis

        client = aioredis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        return cls(client, prefix=prefix)

    async def take(self, buckets: Sequence[BucketSpec], cost: float) -> Decision:
        args: list[Any] = [repr(float(cost))]
        for spec in buckets:
            args.extend((spec.capacity, repr(spec.refill_per_second / 1000.0)))
        try:
            reply = await self._script(keys=[self._prefix + spec.key for spec in buckets], args=args)
        except (RedisError, OSError) as error:
            raise BackendUnavailable(f"{type(error).__name__}: {error}") from error
        allowed, retry_ms = int(reply[0]), int(reply[1])
        states = tuple(
            BucketState(spec, float(reply[2 + 2 * index]), int(reply[3 + 2 * index]) / 1000.0)
            for index, spec in enumerate(buckets)
        )
        return Decision(bool(allowed), retry_ms / 1000.0, states)

    async def aclose(self) -> None:
        await self._client.aclose()


def header_values(decision: Decision) -> dict[str, str]:
    """draft-ietf-httpapi-ratelimit-headers (RateLimit-Limit / -Remaining / -Reset), plus
    Retry-After (RFC 9110 §10.2.3) for a refused request; whole seconds, rounded up."""
    headers: dict[str, str] = {}
    tightest = decision.tightest
    if tightest is not None:
        headers["ratelimit-limit"] = str(tightest.spec.capacity)
        headers["ratelimit-remaining"] = str(max(0, math.floor(tightest.remaining)))
        headers["ratelimit-reset"] = str(max(0, math.ceil(tightest.reset_after)))
    if not decision.allowed:
        headers["retry-after"] = str(max(1, math.ceil(decision.retry_after)))
    return headers
