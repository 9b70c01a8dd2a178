"""Pooled HTTP/1.1 keep-alive client for subgraph requests (DESIGN §2 stage 10).

The wire work is done by router/subgraph_http.py (asyncio protocol + httptools parser; it
replaced aiohttp, the largest CPU item in the router's profile). Every failure mode (connection
refused, timeout, non-2xx without a GraphQL body, malformed HTTP or JSON, open circuit) becomes a
`SubgraphFailure` subclass that the executor turns into errors and nulls; nothing escapes as an
unhandled exception that would become a 500.

Identical concurrent query requests share one HTTP exchange ("in-flight dedup"). The key is the
URL, the body and every header except the per-request ones (`x-request-id`, W3C trace context):
those differ on every client request and would make every key unique, while headers that can
change the answer (authorization, accept-language, …) stay in it. Each caller gets its own
parsed copy of the body so the executor can mutate the result freely.

Queries (never mutations) are retried with exponential back-off and jitter on transport
failures, and a per-subgraph circuit breaker fails calls fast while a subgraph is down
(router/resilience/).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import httptools
import orjson

from router.resilience import CircuitBreakerConfig, CircuitBreakers, RetryConfig, backoff_delay
from router.subgraph_http import HTTPPool, MalformedHTTPResponse, StaleConnection

__all__ = [
    "PER_REQUEST_HEADERS",
    "SubgraphCircuitOpen",
    "SubgraphClient",
    "SubgraphFailure",
    "SubgraphHTTPError",
    "SubgraphMalformedResponse",
    "SubgraphTimeout",
    "SubgraphUnreachable",
]

PER_REQUEST_HEADERS = frozenset({"x-request-id", "traceparent", "tracestate"})
"""Sent to subgraphs but left out of the dedup key: unique per client request, no effect on data."""

_InflightKey = tuple[str, bytes, tuple[tuple[str, str], ...]]


class SubgraphFailure(Exception):
    """A subgraph request that produced no usable GraphQL response."""

    code = "SUBREQUEST_HTTP_ERROR"

    def __init__(self, subgraph: str, reason: str) -> None:
        self.subgraph = subgraph
        self.reason = reason
        super().__init__(f"HTTP fetch failed from '{subgraph}': {reason}")


class SubgraphUnreachable(SubgraphFailure):
    """Connection refused / reset / DNS failure."""


class SubgraphTimeout(SubgraphFailure):
    code = "GATEWAY_TIMEOUT"

    def __init__(self, subgraph: str, timeout: float) -> None:
        super().__init__(subgraph, f"request timed out after {timeout:g}s")


class SubgraphHTTPError(SubgraphFailure):
    def __init__(self, subgraph: str, status: int, reason: str) -> None:
        self.status = status
        super().__init__(subgraph, f"{status}: {reason}")


class SubgraphMalformedResponse(SubgraphFailure):
    code = "SUBREQUEST_MALFORMED_RESPONSE"


class SubgraphCircuitOpen(SubgraphFailure):
    """The subgraph's circuit breaker is open: the call was not attempted."""

    code = "SUBGRAPH_CIRCUIT_OPEN"

    def __init__(self, subgraph: str) -> None:
        super().__init__(subgraph, "circuit breaker open after repeated failures; retrying later")


class _Result:
    """One exchange's answer, shared by deduplicated callers: the first takes the parsed
    object, the others parse their own copy of the raw bytes."""

    __slots__ = ("parsed", "raw")

    def __init__(self, raw: bytes, parsed: dict[str, Any]) -> None:
        self.raw = raw
        self.parsed: dict[str, Any] | None = parsed

    def take(self) -> dict[str, Any]:
        parsed = self.parsed
        if parsed is not None:
            self.parsed = None
            return parsed
        result: dict[str, Any] = orjson.loads(self.raw)
        return result


class SubgraphClient:
    """One shared connection pool for all subgraphs; create once, close with `aclose()`.

    `retry` / `circuit_breaker` None (the default) turn those features off; the router app
    passes them from router.yaml (`subgraphs.retry`, `subgraphs.circuit_breaker`)."""

    def __init__(
        self,
        *,
        max_connections_per_host: int = 256,
        keepalive_timeout: float = 4.0,
        retry: RetryConfig | None = None,
        circuit_breaker: CircuitBreakerConfig | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._pool = HTTPPool(max_connections_per_host=max_connections_per_host, keepalive_timeout=keepalive_timeout)
        self._inflight: dict[_InflightKey, asyncio.Future[_Result]] = {}
        self._retry = retry if retry is not None and retry.enabled and retry.max_retries > 0 else None
        self._breakers: CircuitBreakers | None = None
        if circuit_breaker is not None and circuit_breaker.enabled:
            self._breakers = (
                CircuitBreakers(circuit_breaker, clock) if clock is not None else CircuitBreakers(circuit_breaker)
            )
        self._encoded: tuple[tuple[tuple[str, str], ...], bytes] = ((), b"")
        self.request_count = 0

    @property
    def breakers(self) -> CircuitBreakers | None:
        return self._breakers

    async def fetch(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_seconds: float = 30.0,
        dedupe: bool = False,
    ) -> dict[str, Any]:
        """POST `body` (a JSON GraphQL request) and return the parsed GraphQL response.

        `dedupe` marks the request as a query: identical concurrent ones share one exchange,
        transport failures are retried (when configured), and a pooled connection that the
        subgraph closed meanwhile is retried once on a fresh one (safe only because a query
        has no side effects)."""
        header_items = tuple(headers.items()) if headers else ()
        if not dedupe:
            return (await self._exchange(subgraph, url, body, header_items, timeout_seconds, False)).take()
        key = (url, body, tuple(sorted(item for item in header_items if item[0].lower() not in PER_REQUEST_HEADERS)))
        exchange = self._inflight.get(key)
        if exchange is None:
            # The exchange runs as its own task: a caller that goes away (client disconnect)
            # cancels only its wait, never the answer other requests are waiting for.
            exchange = asyncio.ensure_future(self._exchange(subgraph, url, body, header_items, timeout_seconds, True))
            self._inflight[key] = exchange
            exchange.add_done_callback(lambda done: self._forget(key, done))
        return (await asyncio.shield(exchange)).take()

    def _forget(self, key: _InflightKey, done: asyncio.Future[_Result]) -> None:
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled():
            # Retrieved here so an exchange whose callers all went away logs nothing.
            done.exception()

    async def _exchange(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        header_items: tuple[tuple[str, str], ...],
        timeout_seconds: float,
        is_query: bool,
    ) -> _Result:
        breaker = self._breakers.get(subgraph) if self._breakers is not None else None
        if breaker is not None and not breaker.allow():
            raise SubgraphCircuitOpen(subgraph)
        retry = self._retry if is_query else None
        attempt = 0
        try:
            while True:
                try:
                    result = await self._attempt(subgraph, url, body, header_items, timeout_seconds, is_query)
                except (SubgraphUnreachable, SubgraphHTTPError) as failure:
                    if retry is None or attempt >= retry.max_retries or not _retryable(failure):
                        raise
                    attempt += 1
                    await asyncio.sleep(backoff_delay(retry, attempt))
                    continue
                break
        except SubgraphFailure:
            if breaker is not None:
                breaker.record_failure()
            raise
        except BaseException:
            if breaker is not None:
                breaker.release_trial()
            raise
        if breaker is not None:
            breaker.record_success()
        return result

    async def _attempt(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        header_items: tuple[tuple[str, str], ...],
        timeout_seconds: float,
        retry_stale: bool,
    ) -> _Result:
        self.request_count += 1
        try:
            async with asyncio.timeout(timeout_seconds):
                response = await self._pool.post(url, body, self._encode(header_items), retry_stale=retry_stale)
        except TimeoutError as exc:
            raise SubgraphTimeout(subgraph, timeout_seconds) from exc
        except (MalformedHTTPResponse, httptools.HttpParserError) as exc:
            raise SubgraphMalformedResponse(subgraph, str(exc) or "invalid HTTP response") from exc
        except StaleConnection as exc:
            raise SubgraphUnreachable(subgraph, _describe(exc)) from exc
        except (OSError, ValueError) as exc:
            raise SubgraphUnreachable(subgraph, _describe(exc)) from exc
        raw = response.body
        if response.status >= 300:
            # GraphQL-over-HTTP servers answer request errors with 4xx plus a GraphQL body:
            # keep those errors; anything else is a transport failure.
            parsed = _graphql_or_none(raw) if raw else None
            if parsed is None:
                raise SubgraphHTTPError(subgraph, response.status, response.reason)
            return _Result(raw, parsed)
        return _Result(raw, _parse(subgraph, raw))

    def _encode(self, header_items: tuple[tuple[str, str], ...]) -> bytes:
        # The executor passes the same headers for every fetch of one request: encode once.
        cached_items, cached = self._encoded
        if cached_items == header_items:
            return cached
        lines = []
        for name, value in header_items:
            lowered = name.lower()
            # Never let a value smuggle extra header lines or override the framing we set.
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
                continue
            if lowered in ("content-length", "transfer-encoding", "host", "connection", "content-type", "accept"):
                continue
            lines.append(f"{lowered}: {value}\r\n")
        encoded = "".join(lines).encode("latin-1", "replace")
        self._encoded = (header_items, encoded)
        return encoded

    async def aclose(self) -> None:
        await self._pool.aclose()


def _retryable(failure: SubgraphFailure) -> bool:
    # 5xx (the subgraph or a proxy in front of it failed) may succeed on another try; 4xx will not.
    return not isinstance(failure, SubgraphHTTPError) or failure.status >= 500


def _graphql_or_none(raw: bytes) -> dict[str, Any] | None:
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(parsed, dict) and ("data" in parsed or "errors" in parsed):
        return parsed
    return None


def _parse(subgraph: str, raw: bytes) -> dict[str, Any]:
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SubgraphMalformedResponse(subgraph, "invalid JSON in response body") from exc
    if not isinstance(parsed, dict) or ("data" not in parsed and "errors" not in parsed):
        raise SubgraphMalformedResponse(subgraph, "response is not a GraphQL response object")
    return parsed


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__
