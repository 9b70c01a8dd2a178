"""Inbound in-flight deduplication: identical queries share one execution (DESIGN §2.9).

Runs right before execution, after authentication, authorization and the response cache, so
every request is still authenticated, rate-limited and authorized on its own; only the planning
and the subgraph calls are shared.

Two operations are identical when they have the same (possibly authorization-filtered) document,
operation name, variables, `authorization` header, the headers the router sends to subgraphs
(those can change a subgraph's answer, e.g. accept-language) and any configured `vary_headers`.
Per-request headers (`x-request-id`, trace context) are left out: they are unique per request and
would make sharing impossible. Mutations and subscriptions always execute on their own.
"""

from __future__ import annotations

import asyncio
import dataclasses

import orjson

from router.pipeline import NextStage, Operation
from router.resilience.config import DeduplicationConfig
from router.subgraph_client import PER_REQUEST_HEADERS
from router.types import GraphQLResponse

__all__ = ["DeduplicationStage"]

_Key = tuple[int, str, str | None, bytes, tuple[tuple[str, str], ...]]


class DeduplicationStage:
    __slots__ = ("_inflight", "_vary", "shared_count")

    def __init__(self, config: DeduplicationConfig) -> None:
        self._vary = tuple(sorted({"authorization", *(name.lower() for name in config.vary_headers)}))
        self._inflight: dict[_Key, _Shared] = {}
        self.shared_count = 0
        """Operations answered by another operation's execution (observability and tests)."""

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        prepared = operation.prepared
        if prepared is None or prepared.operation_type != "query":
            return await call_next(operation)
        key = self._key(operation)
        if key is None:
            return await call_next(operation)
        shared = self._inflight.get(key)
        if shared is not None:
            self.shared_count += 1
            shared.followers += 1
            response = await asyncio.shield(shared.execution)
            if response.encoded is None:  # a leader that finished before this follower joined
                response.encoded = orjson.dumps(response.body)
            # The body is shared, never copied: stages build a new response instead of changing
            # it (router/types.py), and the transport writes the shared encoding as it is.
            return dataclasses.replace(response, headers=dict(response.headers))
        shared = _Shared()
        self._inflight[key] = shared
        # Its own task: the first caller going away (client disconnect) must not cancel the
        # execution the others wait for.
        shared.execution = asyncio.ensure_future(self._execute(key, shared, operation, call_next))
        shared.execution.add_done_callback(_retrieve)
        return await asyncio.shield(shared.execution)

    async def _execute(
        self, key: _Key, shared: _Shared, operation: Operation, call_next: NextStage
    ) -> GraphQLResponse:
        try:
            response = await call_next(operation)
        finally:
            # Removed in the same step that completes the execution: nobody can join a finished
            # execution and miss its encoding.
            if self._inflight.get(key) is shared:
                del self._inflight[key]
        if shared.followers and response.encoded is None:
            # Serialised once, before any caller resumes: every caller writes these bytes.
            response.encoded = orjson.dumps(response.body)
        return response

    def _key(self, operation: Operation) -> _Key | None:
        prepared = operation.prepared
        assert prepared is not None
        try:
            variables = orjson.dumps(operation.request.variables or {}, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None  # not canonically serialisable: run on its own
        context = operation.context
        headers = {
            name: value for name, value in context.subgraph_headers.items() if name not in PER_REQUEST_HEADERS
        }
        client = context.client_headers
        for name in self._vary:
            value = client.get(name)
            if value is not None:
                headers[f"client:{name}"] = value
        # The engine too: after a supergraph hot reload, an operation pinned to the new engine
        # must never share an execution (plan, subgraph URLs) of the old one. id() is unique
        # while the leader runs, since the leader's operation holds its engine.
        engine = id(operation.engine)
        vary = tuple(sorted(headers.items()))
        return (engine, prepared.document_hash, prepared.operation_name, variables, vary)


def _retrieve(execution: asyncio.Future[GraphQLResponse]) -> None:
    if not execution.cancelled():
        execution.exception()  # retrieved: a failure whose callers all left logs nothing


class _Shared:
    __slots__ = ("execution", "followers")

    def __init__(self) -> None:
        self.execution: asyncio.Future[GraphQLResponse]
        self.followers = 0
