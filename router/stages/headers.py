"""Which headers reach the subgraphs: the configured allow-list, static inserts, W3C trace
context and the router's request id (x-request-id). Nothing else: in particular never client identity headers (x-user-id and the like,
which config refuses to forward) — identity travels only as the verified bearer token.

The bearer token is forwarded by one rule only, `auth.forward_to_subgraphs` (router/stages/authn.py,
after verification). The generic allow-list never carries it: `authorization` is ignored there, and
when the token may come in a cookie (`auth.cookie`) that cookie is cut from a forwarded `cookie`
header. Otherwise `forward_to_subgraphs: false` would be undone by `propagate: [authorization]`,
and an unverified (even rejected-later) credential could reach a subgraph.
"""

from __future__ import annotations

import os
import re

import structlog

from router.config import HeadersConfig
from router.pipeline import NextStage, Operation
from router.types import GraphQLResponse

__all__ = ["TRACEPARENT_ATTRIBUTE", "HeadersStage", "trace_context", "without_cookie"]

TRACEPARENT_ATTRIBUTE = "traceparent"
_DONE_ATTRIBUTE = "subgraph_headers_ready"
# Headers that carry the client's credential: only the authentication stage forwards it.
_CREDENTIAL_HEADERS = frozenset({"authorization"})

_COOKIE_SEPARATOR = re.compile(r"[;,]")

_log = structlog.get_logger("router.headers")

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


def without_cookie(header: str, name: str) -> str | None:
    """The `cookie` header without every `name=…` pair (RFC 6265 §5.4; names are case-sensitive);
    None when nothing is left. Commas split too: transport joins repeated `cookie` headers with
    `, ` (HTTP/2 sends one per pair), and a cookie value never contains one (RFC 6265 §4.1.1)."""
    pairs = (pair.strip() for pair in _COOKIE_SEPARATOR.split(header))
    kept = [pair for pair in pairs if pair and pair.partition("=")[0].strip() != name]
    return "; ".join(kept) or None


class HeadersStage:
    __slots__ = ("_auth_cookie", "_insert", "_propagate")

    def __init__(self, config: HeadersConfig, *, auth_cookie: str | None = None) -> None:
        """`auth_cookie`: the cookie the bearer token may travel in (`auth.cookie`), cut from a
        propagated `cookie` header."""
        ignored = [name for name in config.propagate if name in _CREDENTIAL_HEADERS]
        if ignored:
            _log.warning(
                "credential_header_not_propagated",
                headers=ignored,
                reason="the bearer token is forwarded only by auth.forward_to_subgraphs",
            )
        self._propagate = tuple(name for name in config.propagate if name not in _CREDENTIAL_HEADERS)
        self._insert = config.insert
        self._auth_cookie = auth_cookie

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        context = operation.context
        # Every operation of a batch shares the HTTP request's context: compute once.
        if not context.attributes.get(_DONE_ATTRIBUTE):
            client = context.client_headers
            headers = context.subgraph_headers
            for name in self._propagate:
                value = client.get(name)
                if value is not None and name == "cookie" and self._auth_cookie is not None:
                    value = without_cookie(value, self._auth_cookie)
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
