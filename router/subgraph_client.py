"""Pooled HTTP/1.1 keep-alive client for subgraph requests (DESIGN §2 stage 10).

aiohttp is used rather than httpx: measured on loopback with small `_entities` bodies
(sequential POSTs, test server in the same process) aiohttp did ~680 requests/s, httpx ~85. Every failure mode
(connection refused, timeout, non-2xx without a GraphQL body, malformed JSON) becomes a
`SubgraphFailure` subclass that the executor turns into errors and nulls; nothing escapes as an
unhandled exception that would become a 500.

Identical concurrent query requests (same URL, body and headers) share one HTTP exchange
("in-flight dedup"); each caller still parses its own copy of the body so the executor can
mutate the result freely.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

__all__ = [
    "SubgraphClient",
    "SubgraphFailure",
    "SubgraphHTTPError",
    "SubgraphMalformedResponse",
    "SubgraphTimeout",
    "SubgraphUnreachable",
]

_InflightKey = tuple[str, bytes, tuple[tuple[str, str], ...]]

_JSON_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


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


class SubgraphClient:
    """One shared connection pool for all subgraphs; create once, close with `aclose()`."""

    # Below the 5 s idle timeout of uvicorn and Node servers, so the pool rarely holds a
    # connection the subgraph is about to close.
    def __init__(self, *, max_connections_per_host: int = 256, keepalive_timeout: float = 4.0) -> None:
        self._max_per_host = max_connections_per_host
        self._keepalive = keepalive_timeout
        self._session: aiohttp.ClientSession | None = None
        self._inflight: dict[_InflightKey, asyncio.Future[bytes]] = {}
        self.request_count = 0

    def _get_session(self) -> aiohttp.ClientSession:
        # Created lazily: aiohttp binds the session to the running loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0,
                limit_per_host=self._max_per_host,
                keepalive_timeout=self._keepalive,
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Subgraphs sit next to the router: compressing small JSON costs both sides
                # more CPU than it saves, so no Accept-Encoding is offered.
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                auto_decompress=True,
            )
        return self._session

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

        `dedupe` marks the request as a query: identical concurrent ones share one exchange, and
        a pooled connection that the subgraph closed meanwhile is retried once on a fresh one
        (safe only because a query has no side effects)."""
        header_items = tuple(sorted(headers.items())) if headers else ()
        if dedupe:
            key = (url, body, header_items)
            exchange = self._inflight.get(key)
            if exchange is None:
                # The exchange runs as its own task: a caller that goes away (client disconnect)
                # cancels only its wait, never the answer other requests are waiting for.
                exchange = asyncio.ensure_future(
                    self._post(subgraph, url, body, header_items, timeout_seconds, retry_stale=True)
                )
                self._inflight[key] = exchange
                exchange.add_done_callback(lambda done: self._forget(key, done))
            raw = await asyncio.shield(exchange)
        else:
            raw = await self._post(subgraph, url, body, header_items, timeout_seconds)
        return _parse(subgraph, raw)

    def _forget(self, key: _InflightKey, done: asyncio.Future[bytes]) -> None:
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled():
            # Retrieved here so an exchange whose callers all went away logs nothing.
            done.exception()

    async def _post(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        header_items: tuple[tuple[str, str], ...],
        timeout_seconds: float,
        *,
        retry_stale: bool = False,
    ) -> bytes:
        send_headers = dict(header_items)
        send_headers.update(_JSON_HEADERS)
        session = self._get_session()
        attempts = 2 if retry_stale else 1
        for attempt in range(attempts):
            self.request_count += 1
            try:
                async with session.post(
                    url,
                    data=body,
                    headers=send_headers,
                    timeout=aiohttp.ClientTimeout(total=timeout_seconds),
                ) as response:
                    raw = await response.read()
                    status = response.status
                    reason = response.reason or ""
                break
            except TimeoutError as exc:
                raise SubgraphTimeout(subgraph, timeout_seconds) from exc
            except aiohttp.ClientConnectorError as exc:  # refused / unresolvable: nothing to retry
                raise SubgraphUnreachable(subgraph, _describe(exc)) from exc
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                # Typically a keep-alive connection the subgraph closed while it sat in the pool.
                if attempt + 1 < attempts:
                    continue
                raise SubgraphUnreachable(subgraph, _describe(exc)) from exc
            except aiohttp.ClientError as exc:
                raise SubgraphUnreachable(subgraph, _describe(exc)) from exc
            except OSError as exc:
                raise SubgraphUnreachable(subgraph, _describe(exc)) from exc
        if status >= 300:
            # GraphQL-over-HTTP servers answer request errors with 4xx plus a GraphQL body:
            # keep those errors; anything else is a transport failure.
            if raw and _looks_like_graphql(raw):
                return raw
            raise SubgraphHTTPError(subgraph, status, reason)
        return raw

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _looks_like_graphql(raw: bytes) -> bool:
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return isinstance(parsed, dict) and ("data" in parsed or "errors" in parsed)


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
