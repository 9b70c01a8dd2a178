"""A small HTTP/1.1 client on asyncio protocols for subgraph POSTs (DESIGN §2 stage 10).

Why not aiohttp: profiling the router on the bench query showed aiohttp's request path
(ClientSession._request → StreamWriter._writelines) as the largest single CPU item. A subgraph
call needs far less: one POST with a JSON body to a known origin, keep-alive, a whole-body
response. This module keeps a keep-alive pool per origin, pre-encodes the fixed part of each
request head per URL, writes head and body in one `transport.write`, and parses responses with
httptools (llhttp: Content-Length, chunked, read-until-close; RFC 9112 §6).

Errors are plain exceptions (`OSError`, `TimeoutError`, `MalformedHTTPResponse`); the caller
(router/subgraph_client.py) maps them to typed subgraph failures.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections import deque
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

__all__ = ["HTTPPool", "MalformedHTTPResponse", "RawResponse", "StaleConnection"]

_ACCEPT = b"application/graphql-response+json, application/json"


class MalformedHTTPResponse(Exception):
    """The peer's bytes are not a valid HTTP/1.1 response."""


class StaleConnection(ConnectionError):
    """A reused keep-alive connection closed before any byte of the response arrived: the
    request may be retried on a fresh connection when it has no side effects."""


@dataclass(frozen=True, slots=True)
class RawResponse:
    status: int
    reason: str
    body: bytes


@dataclass(frozen=True, slots=True)
class _Origin:
    key: tuple[str, str, int]
    host: str
    port: int
    tls: bool
    head_prefix: bytes  # request line + Host + fixed headers; per-request headers follow


class _Connection(asyncio.Protocol):
    """One TCP connection; at most one request in flight (no pipelining)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[RawResponse] | None = None
        self._chunks: list[bytes] = []
        self._received_any = False
        self._headers_done = False
        self._until_eof = False
        self._framed = False
        self._encoding = b""
        self._reason = ""

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing asyncio.Transport.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._received_any = True
        if self._waiter is None:
            # Bytes on an idle connection (no request sent): the peer is not speaking HTTP/1.1
            # request/response; the connection cannot be trusted any more.
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(MalformedHTTPResponse("unexpected protocol upgrade"))
        except httptools.HttpParserError as exc:
            self._fail(MalformedHTTPResponse(f"invalid HTTP response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._headers_done and self._until_eof:
            # RFC 9112 §6.3 rule 8: no length and not chunked → the body ends with the connection.
            self._finish()
            return
        if self.reused and not self._received_any:
            self._fail(StaleConnection("keep-alive connection closed by the subgraph"))
        else:
            self._fail(ConnectionResetError("connection closed before the response was complete"))

    # -- httptools callbacks
    def on_status(self, status: bytes) -> None:
        self._reason = status.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered == b"content-encoding":
            self._encoding = value.strip().lower()
        elif lowered in (b"content-length", b"transfer-encoding"):
            self._framed = True

    def on_headers_complete(self) -> None:
        self._headers_done = True
        # httptools exposes no "needs EOF" flag: with neither length nor chunking the body is
        # delimited by the close (RFC 9112 §6.3 rule 8); a framed body cut short is an error.
        status = self._parser.get_status_code()
        self._until_eof = not self._framed and status not in (204, 304)

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        self._finish()

    # -- request side
    def send(self, data: bytes) -> asyncio.Future[RawResponse]:
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        self._chunks = []
        self._received_any = False
        self._headers_done = False
        self._until_eof = False
        self._framed = False
        self._encoding = b""
        self._reason = ""
        self.transport.write(data)
        return waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _finish(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        body = b"".join(self._chunks) if len(self._chunks) != 1 else self._chunks[0]
        try:
            body = _decode(body, self._encoding)
        except zlib.error:
            self._fail(MalformedHTTPResponse("invalid compressed response body"))
            return
        status = self._parser.get_status_code()
        keep_alive = self._parser.should_keep_alive()
        self._waiter = None
        self._chunks = []
        if not keep_alive:
            self.close()
        waiter.set_result(RawResponse(status, self._reason, body))

    def _fail(self, exc: Exception) -> None:
        waiter = self._waiter
        self._waiter = None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    @property
    def reusable(self) -> bool:
        return not self.closed and self._waiter is None


def _decode(body: bytes, encoding: bytes) -> bytes:
    if not encoding or encoding == b"identity":
        return body
    if encoding in (b"gzip", b"x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == b"deflate":
        return zlib.decompress(body)
    raise zlib.error(f"unsupported content-encoding {encoding!r}")


class HTTPPool:
    """Keep-alive connections per origin (scheme, host, port); create once, `aclose()` at the end.

    `keepalive_timeout` stays below the 5 s idle timeout of uvicorn and Node servers, so the
    pool rarely hands out a connection the subgraph is about to close (and a stale one is
    reported as `StaleConnection`, never silently lost)."""

    def __init__(self, *, max_connections_per_host: int = 256, keepalive_timeout: float = 4.0) -> None:
        self._max = max_connections_per_host
        self._keepalive = keepalive_timeout
        self._origins: dict[str, _Origin] = {}
        self._idle: dict[tuple[str, str, int], deque[_Connection]] = {}
        self._limits: dict[tuple[str, str, int], asyncio.Semaphore] = {}
        self._ssl: ssl.SSLContext | None = None
        self.connections_opened = 0

    def _origin(self, url: str) -> _Origin:
        origin = self._origins.get(url)
        if origin is None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL: {url!r}")
            tls = parts.scheme == "https"
            port = parts.port or (443 if tls else 80)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            default_port = (tls and port == 443) or (not tls and port == 80)
            host_header = parts.hostname if default_port else f"{parts.hostname}:{port}"
            if ":" in parts.hostname and default_port:
                host_header = f"[{parts.hostname}]"
            elif ":" in parts.hostname:
                host_header = f"[{parts.hostname}]:{port}"
            prefix = (
                f"POST {target} HTTP/1.1\r\nhost: {host_header}\r\ncontent-type: application/json\r\n".encode("latin-1")
                + b"accept: "
                + _ACCEPT
                + b"\r\n"
            )
            origin = _Origin((parts.scheme, parts.hostname, port), parts.hostname, port, tls, prefix)
            self._origins[url] = origin
        return origin

    async def post(self, url: str, body: bytes, headers: bytes, *, retry_stale: bool) -> RawResponse:
        """POST `body`; `headers` is pre-encoded `name: value\\r\\n` lines (may be empty).

        With `retry_stale`, a reused connection that turns out closed is replaced once by a
        fresh one (only safe for requests without side effects)."""
        origin = self._origin(url)
        data = b"".join((origin.head_prefix, headers, b"content-length: %d\r\n\r\n" % len(body), body))
        limit = self._limits.get(origin.key)
        if limit is None:
            limit = self._limits[origin.key] = asyncio.Semaphore(self._max)
        async with limit:
            connection = await self._acquire(origin)
            try:
                response = await self._exchange(connection, data)
            except StaleConnection:
                if not retry_stale:
                    raise
                connection = await self._connect(origin)
                response = await self._exchange(connection, data)
            self._release(origin, connection)
            return response

    @staticmethod
    async def _exchange(connection: _Connection, data: bytes) -> RawResponse:
        try:
            return await connection.send(data)
        except BaseException:
            # Failure, timeout or cancellation mid-exchange: the connection's state is unknown.
            connection.close()
            raise

    async def _acquire(self, origin: _Origin) -> _Connection:
        idle = self._idle.get(origin.key)
        if idle:
            deadline = time.monotonic() - self._keepalive
            while idle:
                connection = idle.pop()  # most recently used first: least likely to be stale
                if connection.reusable and connection.idle_since > deadline:
                    connection.reused = True
                    return connection
                connection.close()
        return await self._connect(origin)

    async def _connect(self, origin: _Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        context: ssl.SSLContext | None = None
        if origin.tls:
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        _, connection = await loop.create_connection(
            _Connection, origin.host, origin.port, ssl=context, server_hostname=origin.host if context else None
        )
        self.connections_opened += 1
        return connection

    def _release(self, origin: _Origin, connection: _Connection) -> None:
        if not connection.reusable:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle = self._idle.get(origin.key)
        if idle is None:
            idle = self._idle[origin.key] = deque()
        idle.append(connection)

    async def aclose(self) -> None:
        # Closes only idle connections: the pool stays usable (a later request reconnects), as
        # the aiohttp session it replaced did.
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        self._idle.clear()
