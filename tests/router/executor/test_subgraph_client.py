"""SubgraphClient against real loopback servers: typed failures, GraphQL 4xx bodies, in-flight
dedup, keep-alive reuse, and the HTTP/1.1 wire (chunked, close-delimited and big bodies,
malformed responses, hangs, idle closes, concurrency, header hygiene)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import uvloop

from router.subgraph_client import (
    SubgraphClient,
    SubgraphHTTPError,
    SubgraphMalformedResponse,
    SubgraphTimeout,
    SubgraphUnreachable,
)
from tests.support.servers import free_port, running_server


class _Server:
    """Answers with the status/body queued for the next request; counts requests and the
    distinct client ports (one per TCP connection)."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = b'{"data":{"ok":true}}'
        self.requests = 0
        self.client_ports: set[int] = set()
        self.gate: asyncio.Event | None = None
        self.arrived = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        while (await receive()).get("more_body"):
            pass
        self.requests += 1
        self.arrived.set()
        self.client_ports.add(scope["client"][1])
        if self.gate is not None:
            await self.gate.wait()
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": self.body})


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[tuple[_Server, str]]:
    app = _Server()
    async with running_server(app) as url:
        yield app, url


@pytest.fixture
async def client() -> AsyncIterator[SubgraphClient]:
    client = SubgraphClient()
    yield client
    await client.aclose()


BODY = orjson.dumps({"query": "{ok}"})


async def test_graphql_error_body_on_4xx_is_returned_not_raised(
    server: tuple[_Server, str], client: SubgraphClient
) -> None:
    app, url = server
    app.status, app.body = 400, b'{"errors":[{"message":"bad"}]}'
    assert await client.fetch("s", url, BODY) == {"errors": [{"message": "bad"}]}
    app.status, app.body = 502, b"<html>bad gateway</html>"
    with pytest.raises(SubgraphHTTPError) as failure:
        await client.fetch("s", url, BODY)
    assert failure.value.status == 502
    assert str(failure.value) == "HTTP fetch failed from 's': 502: Bad Gateway"
    app.status, app.body = 200, b"not json"
    with pytest.raises(SubgraphMalformedResponse):
        await client.fetch("s", url, BODY)


async def test_connection_refused_is_unreachable(client: SubgraphClient) -> None:
    with pytest.raises(SubgraphUnreachable) as failure:
        await client.fetch("gone", f"http://127.0.0.1:{free_port()}/graphql", BODY)
    assert failure.value.code == "SUBREQUEST_HTTP_ERROR"
    assert failure.value.subgraph == "gone"


async def test_in_flight_dedup_shares_one_request_and_keep_alive_reuses_the_connection(
    server: tuple[_Server, str], client: SubgraphClient
) -> None:
    app, url = server
    app.status, app.body = 200, b'{"data":{"ok":true}}'
    app.requests, app.client_ports = 0, set()
    app.gate, app.arrived = asyncio.Event(), asyncio.Event()
    try:
        pending = [asyncio.create_task(client.fetch("s", url, BODY, dedupe=True)) for _ in range(5)]
        await app.arrived.wait()
        app.gate.set()
        results = await asyncio.gather(*pending)
    finally:
        app.gate = None
    assert results == [{"data": {"ok": True}}] * 5
    assert results[0] is not results[1]  # each caller may mutate its own copy
    assert app.requests == 1
    for _ in range(3):
        await client.fetch("s", url, BODY)
    assert app.requests == 4
    assert len(app.client_ports) == 1


class _DroppingServer:
    """Raw HTTP/1.1 server: answers the first request of each connection and keeps it open,
    then drops the connection without answering the next request on it (what a subgraph does
    when it closes an idle keep-alive connection just as the router reuses it)."""

    def __init__(self) -> None:
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                if served:
                    return  # drop the reused connection
                body = b'{"data":{"ok":true}}'
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
                served += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


async def test_query_on_a_connection_the_subgraph_dropped_is_retried_once(client: SubgraphClient) -> None:
    dropping = _DroppingServer()
    server = await asyncio.start_server(dropping.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        assert await client.fetch("s", url, BODY, dedupe=True) == {"data": {"ok": True}}
        assert await client.fetch("s", url, BODY, dedupe=True) == {"data": {"ok": True}}
        assert dropping.connections == 2
        # A mutation (no dedupe) is never sent twice: the dropped connection is a failure.
        with pytest.raises(SubgraphUnreachable):
            await client.fetch("s", url, BODY)
    finally:
        server.close()
        await server.wait_closed()


async def test_a_caller_going_away_does_not_cancel_the_shared_exchange(
    server: tuple[_Server, str], client: SubgraphClient
) -> None:
    app, url = server
    app.status, app.body = 200, b'{"data":{"ok":true}}'
    app.requests = 0
    app.gate, app.arrived = asyncio.Event(), asyncio.Event()
    try:
        leader = asyncio.create_task(client.fetch("s", url, BODY, dedupe=True))
        await app.arrived.wait()
        follower = asyncio.create_task(client.fetch("s", url, BODY, dedupe=True))
        await asyncio.sleep(0)  # let the follower join the exchange in flight
        leader.cancel()
        app.gate.set()
        assert await follower == {"data": {"ok": True}}
    finally:
        app.gate = None
    assert leader.cancelled()
    assert app.requests == 1


# --- the wire: a raw HTTP/1.1 server that answers with scripted bytes -------------------------

Responder = Any  # (head: bytes, body: bytes) -> bytes | None (None: hang up without answering)


class _RawServer:
    """Reads requests (Content-Length bodies) and writes whatever `respond` returns; records
    every request head and counts connections."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.connections = 0
        self.heads: list[bytes] = []
        self.hang = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                self.heads.append(head)
                answer = self.respond(head, body)
                if answer == b"HANG":
                    await self.hang.wait()
                    return
                if answer is None:
                    return
                writer.write(answer)
                await writer.drain()
                if b"connection: close" in answer.lower():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def _raw_server(respond: Responder) -> AsyncIterator[tuple[_RawServer, str]]:
    raw = _RawServer(respond)
    server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield raw, f"http://127.0.0.1:{port}/graphql"
    finally:
        raw.hang.set()
        server.close()
        await server.wait_closed()


def _fixed(body: bytes, status: bytes = b"200 OK", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s\r\n%s" % (
        status,
        len(body),
        extra,
        body,
    )


def _chunked(body: bytes, size: int) -> bytes:
    parts = [b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"]
    for start in range(0, len(body), size):
        chunk = body[start : start + size]
        parts.append(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


def _echo_body(head: bytes, body: bytes) -> bytes:
    return _fixed(orjson.dumps({"data": {"echo": orjson.loads(body)}}))


async def test_chunked_and_big_bodies_are_read_whole_on_one_kept_alive_connection(client: SubgraphClient) -> None:
    big = orjson.dumps({"data": {"items": [{"id": index, "name": "x" * 50} for index in range(20_000)]}})
    assert len(big) > 1_000_000
    async with _raw_server(lambda head, body: _chunked(big, 7_919)) as (raw, url):
        for _ in range(3):
            result = await client.fetch("s", url, BODY)
            assert len(result["data"]["items"]) == 20_000
            assert result["data"]["items"][19_999] == {"id": 19_999, "name": "x" * 50}
        assert raw.connections == 1


async def test_body_delimited_by_connection_close(client: SubgraphClient) -> None:
    payload = b'{"data":{"until":"eof"}}'
    answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n" + payload
    async with _raw_server(lambda head, body: answer) as (raw, url):
        assert await client.fetch("s", url, BODY) == {"data": {"until": "eof"}}
        assert await client.fetch("s", url, BODY) == {"data": {"until": "eof"}}
        assert raw.connections == 2  # a closed connection never goes back to the pool


async def test_truncated_body_is_a_failure_not_a_short_answer(client: SubgraphClient) -> None:
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n" + b'{"data":{}'
    async with _raw_server(lambda head, body: answer) as (_, url):
        with pytest.raises(SubgraphUnreachable):
            await client.fetch("s", url, BODY)


async def test_malformed_http_is_a_malformed_response(client: SubgraphClient) -> None:
    async with _raw_server(lambda head, body: b"SMTP ready\r\n\r\n") as (_, url):
        with pytest.raises(SubgraphMalformedResponse) as failure:
            await client.fetch("s", url, BODY)
    assert failure.value.code == "SUBREQUEST_MALFORMED_RESPONSE"


async def test_a_hanging_subgraph_times_out_and_the_connection_is_not_reused(client: SubgraphClient) -> None:
    calls = 0

    def respond(head: bytes, body: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return b"HANG" if calls == 1 else _fixed(b'{"data":{"ok":true}}')

    async with _raw_server(respond) as (raw, url):
        with pytest.raises(SubgraphTimeout) as failure:
            await client.fetch("s", url, BODY, timeout_seconds=0.2)
        assert failure.value.code == "GATEWAY_TIMEOUT"
        assert await client.fetch("s", url, BODY) == {"data": {"ok": True}}
        assert raw.connections == 2


async def test_server_closing_an_idle_connection_is_noticed(client: SubgraphClient) -> None:
    # The server answers and closes (Connection: close); the next request must open a new one.
    async with _raw_server(lambda head, body: _fixed(b'{"data":{"n":1}}', extra=b"connection: close\r\n")) as (
        raw,
        url,
    ):
        for _ in range(3):
            assert await client.fetch("s", url, BODY) == {"data": {"n": 1}}
        assert raw.connections == 3


async def test_concurrent_requests_each_get_their_own_answer(client: SubgraphClient) -> None:
    async with _raw_server(_echo_body) as (raw, url):
        bodies = [orjson.dumps({"query": "{ok}", "variables": {"n": index}}) for index in range(40)]
        results = await asyncio.gather(*(client.fetch("s", url, body) for body in bodies))
        assert [result["data"]["echo"]["variables"]["n"] for result in results] == list(range(40))
        assert 1 <= raw.connections <= 40


async def test_request_head_carries_headers_but_no_injected_lines(client: SubgraphClient) -> None:
    async with _raw_server(_echo_body) as (raw, url):
        headers = {"authorization": "Bearer a", "x-evil": "v\r\nx-user-id: 1", "content-length": "0"}
        await client.fetch("s", url, BODY, headers=headers)
    head = raw.heads[0].lower()
    assert head.startswith(b"post /graphql http/1.1\r\n")
    assert b"authorization: bearer a\r\n" in head
    assert b"content-type: application/json\r\n" in head
    assert b"content-length: %d\r\n" % len(BODY) in head
    assert b"x-user-id" not in head and b"x-evil" not in head


async def test_dedup_ignores_per_request_headers_but_not_authorization(client: SubgraphClient) -> None:
    gate = asyncio.Event()

    async with _raw_server(_echo_body) as (raw, url):
        original = raw.handle

        async def gated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await gate.wait()
            await original(reader, writer)

        raw.handle = gated  # type: ignore[method-assign]

        def call(request_id: str, token: str) -> asyncio.Task[dict[str, Any]]:
            headers = {"authorization": token, "x-request-id": request_id, "traceparent": f"00-{request_id}"}
            return asyncio.create_task(client.fetch("s", url, BODY, headers=headers, dedupe=True))

        pending = [call(f"r{index}", "Bearer a") for index in range(4)] + [call("r9", "Bearer b")]
        await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(*pending)
    assert all(result == results[0] for result in results)
    assert len(raw.heads) == 2  # one exchange per distinct authorization


def test_keep_alive_on_uvloop() -> None:
    # The router serves on uvloop, whose transports are not asyncio.Transport subclasses.
    async def main() -> tuple[list[dict[str, Any]], int]:
        client = SubgraphClient()
        async with _raw_server(_echo_body) as (raw, url):
            results = [await client.fetch("s", url, BODY) for _ in range(3)]
        await client.aclose()
        return results, raw.connections

    results, connections = uvloop.run(main())
    assert results == [{"data": {"echo": {"query": "{ok}"}}}] * 3
    assert connections == 1


async def test_connections_idle_past_the_keepalive_timeout_are_not_reused() -> None:
    client = SubgraphClient(keepalive_timeout=0.0)
    try:
        async with _raw_server(_echo_body) as (raw, url):
            for _ in range(3):
                await client.fetch("s", url, BODY)
            assert raw.connections == 3
    finally:
        await client.aclose()


async def test_the_per_host_connection_limit_queues_requests() -> None:
    client = SubgraphClient(max_connections_per_host=2)
    try:
        async with _raw_server(_echo_body) as (raw, url):
            bodies = [orjson.dumps({"query": "{ok}", "variables": {"n": index}}) for index in range(10)]
            results = await asyncio.gather(*(client.fetch("s", url, body) for body in bodies))
            assert [result["data"]["echo"]["variables"]["n"] for result in results] == list(range(10))
            assert raw.connections == 2
    finally:
        await client.aclose()
