"""Which headers reach the subgraphs: the configured allow-list, static inserts, W3C trace
context and the router's request id (x-request-id). Nothing else: in particular never client identity headers (x-user-id and the like,
which config refuses to forward) — identity travels only as the verified bearer token.
"""

from __future__ import annotations

import os
import re

from router.config import HeadersConfig
from router.pipeline import NextStage, Operation
from router.types import GraphQLResponse

__all__ = ["TRACEPARENT_ATTRIBUTE", "HeadersStage", "trace_context"]

TRACEPARENT_ATTRIBUTE = "traceparent"
_DONE_ATTRIBUTE = "subgraph_headers_ready"

# W3C Trace Context §3.2: version-traceid-parentid-flags, lowercase hex; all-zero ids are invalid.
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def trace_context(client_headers: dict[str, str]) -> tuple[str, str]:
    """(traceparent to propagate, trace id): the client's when valid, else a new trace."""
    header = client_headers.get("traceparent", "").strip()
    match = _TRACEPARENT.match(header)
    if match and match.group(1) != "ff" and set(match.group(2)) != {"0"} and set(match.group(3)) != {"0"}:
        return header, match.group(2)
    ids = os.urandom(24).hex()
    trace_id = ids[:32]
    return f"00-{trace_id}-{ids[32:]}-01", trace_id


class HeadersStage:
    __slots__ = ("_insert", "_propagate")

    def __init__(self, config: HeadersConfig) -> None:
        self._propagate = config.propagate
        self._insert = config.insert

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        context = operation.context
        # Every operation of a batch shares the HTTP request's context: compute once.
        if not context.attributes.get(_DONE_ATTRIBUTE):
            client = context.client_headers
            headers = context.subgraph_headers
            for name in self._propagate:
                value = client.get(name)
                if value is not None:
                    headers[name] = value
            headers.update(self._insert)
            # The router's request id (validated or generated) lets subgraph logs be joined to ours.
            headers["x-request-id"] = context.request_id
            traceparent = context.attributes.get(TRACEPARENT_ATTRIBUTE)
            if isinstance(traceparent, str):
                headers["traceparent"] = traceparent
                if traceparent == client.get("traceparent", "").strip() and "tracestate" in client:
                    headers["tracestate"] = client["tracestate"]
            context.attributes[_DONE_ATTRIBUTE] = True
        return await call_next(operation)
