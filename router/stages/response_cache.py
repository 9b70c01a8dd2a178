"""Response cache (DESIGN §2 stage 7): whole responses of cacheable queries, keyed by
operation hash + variables + scope, served before planning and execution.

Runs after authorization (the StageSlots.response_cache position), so `Operation.prepared` is
the operation the caller may run (authorization's filtered variant has its own hash) and the
claims are verified. Cacheability and TTL come from cache hints (router/caching/hints.py).
Never cached: mutations, responses with errors, request errors, PRIVATE data of anonymous
callers. A mutation purges the entries tagged with the types it returns.

Responses of cacheable queries carry `Cache-Control: max-age=N, public|private` and `Age`
(RFC 9111 §5.1, §5.2.2), so an HTTP cache in front (NGINX) can serve GET persisted queries.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import orjson
import structlog
from prometheus_client import Counter

from router.caching.backends import CacheBackend, MemoryBackend, RedisBackend
from router.caching.config import ResponseCacheConfig
from router.caching.hints import SchemaHints
from router.caching.keys import cache_key
from router.pipeline import EngineLike, NextStage, Operation
from router.security.authn import request_claims
from router.types import GraphQLResponse

__all__ = ["RESPONSE_CACHE_LOOKUPS", "ResponseCacheStage", "build_backend"]

_log = structlog.get_logger("router.response_cache")

RESPONSE_CACHE_LOOKUPS = Counter(
    "fitgraph_router_response_cache_lookups_total",
    "Response cache lookups of cacheable operations, by result (hit or miss).",
    ["result"],
)


def build_backend(config: ResponseCacheConfig) -> CacheBackend:
    if config.backend == "redis":
        if config.redis_url is None:
            raise ValueError("response_cache.backend redis needs response_cache.redis_url")
        return RedisBackend.from_url(config.redis_url, prefix=config.redis_prefix)
    return MemoryBackend(max_entries=config.max_entries)


def _cache_control(max_age: int, scope: str) -> str:
    return f"max-age={max_age}, {'private' if scope == 'PRIVATE' else 'public'}"


def _vary(config: ResponseCacheConfig) -> str:
    # An HTTP cache in front must key on the credentials too (RFC 9110 §12.5.5): a PUBLIC entry
    # filled for a signed-in caller must never be served to an anonymous one, or vice versa.
    return ", ".join(("authorization", *config.vary_headers))


class ResponseCacheStage:
    """The stage; `backend` defaults to the one the config names."""

    def __init__(self, config: ResponseCacheConfig, *, backend: CacheBackend | None = None) -> None:
        self.config = config
        self.backend: CacheBackend = backend if backend is not None else build_backend(config)
        self._hints: weakref.WeakKeyDictionary[Any, SchemaHints] = weakref.WeakKeyDictionary()
        self._vary = _vary(config)

    def hints(self, engine: EngineLike) -> SchemaHints:
        """Hints of the engine's supergraph, built once per engine (a reload brings its own)."""
        found = self._hints.get(engine)
        if found is None:
            sdl = getattr(getattr(engine, "supergraph", None), "sdl", None)
            found = SchemaHints(engine.api_schema, self.config, sdl if isinstance(sdl, str) else None)
            self._hints[engine] = found
        return found

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        prepared = operation.prepared
        if not self.config.enabled or prepared is None:
            return await call_next(operation)
        if prepared.operation_type == "mutation":
            return await self._mutation(operation, call_next)
        hints = self.hints(operation.engine)
        policy = hints.policy(prepared)
        if policy is None:
            return await call_next(operation)
        claims = request_claims(operation.context)
        headers = operation.context.client_headers
        key = cache_key(
            schema_id=hints.schema_id,
            document_hash=prepared.document_hash,
            operation_name=prepared.operation_name,
            variables=operation.request.variables,
            scope=policy.scope,
            subject=claims.subject if claims is not None else None,
            vary=[(name, headers.get(name)) for name in self.config.vary_headers],
        )
        if key is None:
            return await call_next(operation)
        cached = await self.backend.get(key)
        if cached is not None:
            RESPONSE_CACHE_LOOKUPS.labels("hit").inc()
            entry = orjson.loads(cached)
            age = max(0, int(time.time() - entry["stored_at"]))
            return GraphQLResponse(
                body=entry["body"],
                headers={
                    "cache-control": _cache_control(entry["max_age"], entry["scope"]),
                    "age": str(age),
                    "vary": self._vary,
                },
            )
        RESPONSE_CACHE_LOOKUPS.labels("miss").inc()
        response = await call_next(operation)
        if response.is_request_error or response.body.get("errors") or "data" not in response.body:
            return response
        value = orjson.dumps(
            {
                "body": response.body,
                "stored_at": time.time(),
                "max_age": policy.max_age,
                "scope": policy.scope,
            }
        )
        await self.backend.set(key, value, ttl=policy.max_age, tags=policy.types)
        response.headers["cache-control"] = _cache_control(policy.max_age, policy.scope)
        response.headers["age"] = "0"
        response.headers["vary"] = self._vary
        return response

    async def _mutation(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        response = await call_next(operation)
        if response.is_request_error:
            return response  # nothing ran, nothing changed
        assert operation.prepared is not None
        types = self.hints(operation.engine).mutation_types(operation.prepared)
        if types:
            purged = await self.backend.purge(types)
            _log.info("response_cache_purged", types=sorted(types), entries=purged)
        return response
