"""SubgraphClient against real loopback servers: typed failures, GraphQL 4xx bodies, in-flight
dedup and keep-alive reuse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from router.subgraph_client import (
    SubgraphClient,
    SubgraphHTTPError,
    SubgraphMalformedResponse,
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
