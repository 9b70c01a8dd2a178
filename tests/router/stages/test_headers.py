"""Headers sent to subgraphs: allow-list, static inserts, W3C trace context, nothing else."""

from __future__ import annotations

import re

import orjson
import pytest

from router.stages.headers import trace_context
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_valid_traceparent_is_kept() -> None:
    assert trace_context({"traceparent": VALID}) == (VALID, "4bf92f3577b34da6a3ce929d0e0e4736")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "garbage",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    ],
)
def test_missing_or_invalid_traceparent_starts_a_new_trace(header: str | None) -> None:
    traceparent, trace_id = trace_context({} if header is None else {"traceparent": header})
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", traceparent)
    assert traceparent.split("-")[1] == trace_id
    assert traceparent != header


async def test_only_allow_listed_headers_reach_subgraphs(subgraphs: Subgraphs) -> None:
    config = {"headers": {"propagate": ["Authorization", "accept-language"], "insert": {"x-router": "fitgraph"}}}
    async with serve_router(subgraphs.sdl, config) as client:
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": "{ products(first: 1) { name } }"}),
            headers={
                **JSON_HEADERS,
                "authorization": "Bearer abc.def.ghi",
                "accept-language": "de-CH",
                "x-user-id": "42",
                "x-user-roles": "admin",
                "cookie": "session=1",
                "traceparent": VALID,
                "tracestate": "vendor=1",
            },
        )
        assert response.json() == {"data": {"products": [{"name": "Kettlebell"}]}}
    received = subgraphs.products.received[-1].headers
    assert received["x-request-id"] == response.headers["x-request-id"]
    assert received["authorization"] == "Bearer abc.def.ghi"
    assert received["accept-language"] == "de-CH"
    assert received["x-router"] == "fitgraph"
    assert received["traceparent"] == VALID
    assert received["tracestate"] == "vendor=1"
    for name in ("x-user-id", "x-user-roles", "cookie"):
        assert name not in received


async def test_a_trace_is_started_when_the_client_sends_none(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl) as client:
        await client.post(
            "/graphql",
            content=orjson.dumps({"query": "{ products(first: 1) { name } }"}),
            headers={**JSON_HEADERS, "tracestate": "orphan=1", "authorization": "Bearer t"},
        )
    received = subgraphs.products.received[-1].headers
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", received["traceparent"])
    # tracestate belongs to the client's trace, not to one the router started; no allow-list: no auth.
    assert "tracestate" not in received
    assert "authorization" not in received
