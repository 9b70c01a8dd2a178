"""Automatic persisted queries (APQ), exactly as Apollo Client's persisted-queries link speaks it.

Protocol (Apollo APQ): `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`.
- Hash only, known hash   → the stored text runs as if the client had sent it.
- Hash only, unknown hash → 200 with PERSISTED_QUERY_NOT_FOUND; the client retries with the text.
- Text + hash             → the hash must be sha256(text) (else PERSISTED_QUERY_HASH_MISMATCH);
                            the text is registered once it parsed and validated.
Storage: a local LRU in front of Redis (shared by every router replica) when configured.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import structlog

from router.pipeline import NextStage, Operation
from router.stages.errors import request_error
from router.types import GraphQLResponse

__all__ = ["ApqStore", "PersistedQueryStage"]

_log = structlog.get_logger("router.apq")
_SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
# Apollo clients key their retry on this exact message and code.
_NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
_NO_STORE_HEADERS = {"cache-control": "private, no-cache, must-revalidate"}


class ApqStore:
    """sha256 → query text: a bounded local LRU, optionally in front of Redis.

    Redis failures never fail a request: a read error is a miss (the client then resends the
    text), a write error leaves the query in the local cache only."""

    def __init__(
        self,
        *,
        local_size: int,
        redis: Any | None = None,
        prefix: str = "fitgraph:apq:",
        ttl: int | None = None,
    ) -> None:
        self._local: OrderedDict[str, str] = OrderedDict()
        self._local_size = local_size
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl

    @property
    def redis(self) -> Any | None:
        return self._redis

    def get_local(self, sha256: str) -> str | None:
        query = self._local.get(sha256)
        if query is not None:
            self._local.move_to_end(sha256)
        return query

    def _remember(self, sha256: str, query: str) -> None:
        self._local[sha256] = query
        self._local.move_to_end(sha256)
        while len(self._local) > self._local_size:
            self._local.popitem(last=False)

    async def get(self, sha256: str) -> str | None:
        query = self.get_local(sha256)
        if query is not None or self._redis is None:
            return query
        try:
            raw = await self._redis.get(self._prefix + sha256)
        except Exception as error:  # any Redis/network failure degrades to a miss
            _log.warning("apq_redis_read_failed", error=type(error).__name__)
            return None
        if raw is None:
            return None
        query = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        self._remember(sha256, query)
        return query

    async def put(self, sha256: str, query: str) -> None:
        known = self.get_local(sha256) == query
        self._remember(sha256, query)
        if self._redis is None or known:
            return
        try:
            await self._redis.set(self._prefix + sha256, query, ex=self._ttl)
        except Exception as error:  # the local copy still serves this replica
            _log.warning("apq_redis_write_failed", error=type(error).__name__)

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


class PersistedQueryStage:
    """Resolves hash-only requests to their text and registers new texts (store=None: APQ off)."""

    __slots__ = ("_store",)

    def __init__(self, store: ApqStore | None) -> None:
        self._store = store

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        request = operation.request
        extensions = request.extensions
        if not extensions or "persistedQuery" not in extensions:
            return await call_next(operation)
        persisted = extensions["persistedQuery"]
        store = self._store
        if store is None:
            if request.query is not None:
                return await call_next(operation)
            return request_error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", status=400)
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return request_error(
                "Unsupported persisted query version: only version 1 is supported",
                "PERSISTED_QUERY_NOT_SUPPORTED",
                status=400,
            )
        sha256 = persisted.get("sha256Hash")
        if not isinstance(sha256, str) or not _SHA256_HEX.match(sha256):
            return request_error(
                "extensions.persistedQuery.sha256Hash must be a hex SHA-256 digest", "BAD_REQUEST", status=400
            )
        sha256 = sha256.lower()
        if request.query is None:
            query = await store.get(sha256)
            if query is None:
                return request_error(
                    _NOT_FOUND_MESSAGE, "PERSISTED_QUERY_NOT_FOUND", status=200, headers=dict(_NO_STORE_HEADERS)
                )
            operation.request = replace(request, query=query)
            return await call_next(operation)
        # Comparing with a cached text is cheaper than hashing it again.
        if store.get_local(sha256) != request.query:
            if hashlib.sha256(request.query.encode("utf-8")).hexdigest() != sha256:
                return request_error(
                    "provided sha256Hash does not match the query", "PERSISTED_QUERY_HASH_MISMATCH", status=400
                )
        response = await call_next(operation)
        # Register only what parsed and validated: junk never fills the shared cache.
        if operation.prepared is not None:
            await store.put(sha256, request.query)
        return response
