"""SubgraphClient retries and circuit breaking against real failing servers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from router.resilience import BreakerState, CircuitBreakerConfig, RetryConfig
from router.subgraph_client import (
    SubgraphCircuitOpen,
    SubgraphClient,
    SubgraphHTTPError,
    SubgraphMalformedResponse,
    SubgraphTimeout,
    SubgraphUnreachable,
)
from tests.router.support.wire import read_request
from tests.support.servers import free_port

BODY = b'{"query":"{ok}"}'
OK = b'{"data":{"ok":true}}'


def _answer(status: bytes, body: bytes) -> bytes:
    return b"HTTP/1.1 %s\r\ncontent-length: %d\r\ncontent-type: application/json\r\n\r\n%s" % (
        status,
        len(body),
        body,
    )


class _Scripted:
    """Answers request n with script(n) (bytes, or None to hang until the test ends)."""

    def __init__(self, script: Callable[[int], bytes | None]) -> None:
        self.script = script
        self.requests = 0
        self.release = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await read_request(reader)
                self.requests += 1
                answer = self.script(self.requests)
                if answer is None:
                    await self.release.wait()
                    return
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def _serve(script: Callable[[int], bytes | None]) -> AsyncIterator[tuple[_Scripted, str]]:
    scripted = _Scripted(script)
    server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
    try:
        yield scripted, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/graphql"
    finally:
        scripted.release.set()
        server.close()
        await server.wait_closed()


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


FAST_RETRY = RetryConfig(max_retries=2, base_delay=0.001, max_delay=0.002)


@contextlib.asynccontextmanager
async def _client(**options: Any) -> AsyncIterator[SubgraphClient]:
    client = SubgraphClient(**options)
    try:
        yield client
    finally:
        await client.aclose()


async def test_a_query_is_retried_after_5xx_and_succeeds() -> None:
    def script(n: int) -> bytes:
        return _answer(b"503 Service Unavailable", b"busy") if n < 3 else _answer(b"200 OK", OK)

    async with _client(retry=FAST_RETRY) as client, _serve(script) as (server, url):
        assert await client.fetch("s", url, BODY, dedupe=True) == {"data": {"ok": True}}
        assert server.requests == 3


async def test_retries_are_bounded_and_the_last_failure_is_reported() -> None:
    async with (
        _client(retry=FAST_RETRY) as client,
        _serve(lambda n: _answer(b"500 Internal Server Error", b"boom")) as (server, url),
    ):
        with pytest.raises(SubgraphHTTPError) as failure:
            await client.fetch("s", url, BODY, dedupe=True)
        assert failure.value.status == 500
        assert server.requests == 3


async def test_mutations_are_never_retried() -> None:
    async with (
        _client(retry=FAST_RETRY) as client,
        _serve(lambda n: _answer(b"500 Internal Server Error", b"boom")) as (server, url),
    ):
        with pytest.raises(SubgraphHTTPError):
            await client.fetch("s", url, BODY, dedupe=False)
        assert server.requests == 1


@pytest.mark.parametrize(
    ("answer", "failure", "timeout_seconds"),
    [
        (_answer(b"404 Not Found", b"nope"), SubgraphHTTPError, 30.0),
        (_answer(b"200 OK", b'{"data": {"oops"'), SubgraphMalformedResponse, 30.0),
        (None, SubgraphTimeout, 0.1),  # the server hangs: the request times out
    ],
    ids=["client-error", "malformed-body", "timeout"],
)
async def test_client_errors_malformed_bodies_and_timeouts_are_not_retried(
    answer: bytes | None, failure: type[Exception], timeout_seconds: float
) -> None:
    async with _client(retry=FAST_RETRY) as client, _serve(lambda n: answer) as (server, url):
        with pytest.raises(failure):
            await client.fetch("s", url, BODY, dedupe=True, timeout_seconds=timeout_seconds)
        assert server.requests == 1


async def test_connection_refused_is_retried_then_unreachable() -> None:
    async with _client(retry=FAST_RETRY) as client:
        with pytest.raises(SubgraphUnreachable):
            await client.fetch("gone", f"http://127.0.0.1:{free_port()}/graphql", BODY, dedupe=True)
        assert client.request_count == 3


async def test_breaker_opens_fails_fast_half_opens_and_recovers() -> None:
    clock = _Clock()
    healthy = False

    def script(n: int) -> bytes:
        return _answer(b"200 OK", OK) if healthy else _answer(b"502 Bad Gateway", b"down")

    async with (
        _client(
            circuit_breaker=CircuitBreakerConfig(failure_threshold=3, cooldown=30), clock=clock
        ) as client,
        _serve(script) as (server, url),
    ):
        for _ in range(3):
            with pytest.raises(SubgraphHTTPError):
                await client.fetch("s", url, BODY, dedupe=True)
        breakers = client.breakers
        assert breakers is not None and breakers.get("s").state is BreakerState.OPEN
        with pytest.raises(SubgraphCircuitOpen) as failure:
            await client.fetch("s", url, BODY, dedupe=True)
        assert failure.value.code == "SUBGRAPH_CIRCUIT_OPEN"
        assert server.requests == 3  # failing fast: nothing was sent
        # Another subgraph is not affected by this one's breaker.
        assert breakers.get("other").state is BreakerState.CLOSED

        clock.now += 31  # cool-down over: the trial call fails, the circuit re-opens
        with pytest.raises(SubgraphHTTPError):
            await client.fetch("s", url, BODY, dedupe=True)
        with pytest.raises(SubgraphCircuitOpen):
            await client.fetch("s", url, BODY, dedupe=True)
        assert server.requests == 4

        healthy = True
        clock.now += 31
        assert await client.fetch("s", url, BODY, dedupe=True) == {"data": {"ok": True}}
        assert breakers.get("s").state is BreakerState.CLOSED
        assert await client.fetch("s", url, BODY) == {"data": {"ok": True}}
        assert server.requests == 6


async def test_graphql_errors_do_not_count_as_failures() -> None:
    async with (
        _client(circuit_breaker=CircuitBreakerConfig(failure_threshold=1, cooldown=30)) as client,
        _serve(lambda n: _answer(b"400 Bad Request", b'{"errors":[{"message":"bad"}]}')) as (_, url),
    ):
        for _ in range(3):
            assert await client.fetch("s", url, BODY) == {"errors": [{"message": "bad"}]}
        breakers = client.breakers
        assert breakers is not None and breakers.get("s").state is BreakerState.CLOSED
