"""Headers sent to subgraphs: allow-list, static inserts, W3C trace context, nothing else."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from router.stages.headers import trace_context, without_cookie
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
QUERY = orjson.dumps({"query": "{ products(first: 1) { name } }"})
SECRET = "headers-test-secret-of-at-least-32-bytes"
ISSUER = TokenIssuer(KeyRing(), issuer="https://auth.test", audience="fitgraph", hs256_secret=SECRET.encode())


def auth_config(*, forward: bool) -> dict[str, Any]:
    """Headers allow-list naming the credential headers, plus HS256 auth that reads `fg_token`."""
    return {
        "headers": {"propagate": ["authorization", "cookie", "accept-language"]},
        "auth": {
            "issuer": "https://auth.test",
            "audience": "fitgraph",
            "algorithms": ["HS256"],
            "hs256_secret": SECRET,
            "cookie": "fg_token",
            "forward_to_subgraphs": forward,
        },
    }


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
    config = {
        "headers": {"propagate": ["Authorization", "accept-language"], "insert": {"x-router": "fitgraph"}}
    }
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
    # No auth section: nothing forwards the bearer token, allow-listed or not.
    assert "authorization" not in received
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


async def test_allow_list_never_forwards_the_token_when_auth_forwarding_is_off(subgraphs: Subgraphs) -> None:
    token = ISSUER.issue("user-1", roles=["user"], symmetric=True)
    async with serve_router(subgraphs.sdl, auth_config(forward=False)) as client:
        for credential in (
            {"authorization": f"Bearer {token}", "cookie": "theme=dark; fg_token=" + token},
            {"cookie": f"fg_token={token}; theme=dark"},
        ):
            response = await client.post(
                "/graphql", content=QUERY, headers={**JSON_HEADERS, "accept-language": "fr", **credential}
            )
            assert response.json() == {"data": {"products": [{"name": "Kettlebell"}]}}
            received = subgraphs.products.received[-1].headers
            assert "authorization" not in received
            # The other cookies and allow-listed headers still go through; the token cookie does not.
            assert received["cookie"] == "theme=dark"
            assert received["accept-language"] == "fr"
            assert token not in str(dict(received))


async def test_auth_rule_forwards_the_verified_token_only(subgraphs: Subgraphs) -> None:
    token = ISSUER.issue("user-1", roles=["user"], symmetric=True)
    async with serve_router(subgraphs.sdl, auth_config(forward=True)) as client:
        # From the Authorization header: forwarded by the auth rule, as `Bearer <token>`.
        await client.post(
            "/graphql", content=QUERY, headers={**JSON_HEADERS, "authorization": f"bearer   {token}"}
        )
        received = subgraphs.products.received[-1].headers
        assert received["authorization"] == f"Bearer {token}"
        # From the cookie: the subgraph gets it as Authorization, not as the cookie.
        await client.post("/graphql", content=QUERY, headers={**JSON_HEADERS, "cookie": f"fg_token={token}"})
        received = subgraphs.products.received[-1].headers
        assert received["authorization"] == f"Bearer {token}"
        assert "cookie" not in received
        # Anonymous: an allow-listed but absent credential forwards nothing.
        await client.post("/graphql", content=QUERY, headers=JSON_HEADERS)
        assert "authorization" not in subgraphs.products.received[-1].headers


async def test_rejected_token_reaches_no_subgraph(subgraphs: Subgraphs) -> None:
    seen = len(subgraphs.products.received)
    async with serve_router(subgraphs.sdl, auth_config(forward=False)) as client:
        response = await client.post(
            "/graphql", content=QUERY, headers={**JSON_HEADERS, "authorization": "Bearer forged.token.value"}
        )
    assert response.status_code == 401
    assert len(subgraphs.products.received) == seen


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fg_token=abc", None),
        ("a=1; fg_token=abc; b=2", "a=1; b=2"),
        # Transport joins repeated cookie headers (HTTP/2) with ", ".
        ("a=1, fg_token=abc", "a=1"),
        ("fg_token=abc;fg_token=def; FG_TOKEN=keep", "FG_TOKEN=keep"),
        ("fg_token_2=keep", "fg_token_2=keep"),
    ],
)
def test_without_cookie_cuts_every_pair_of_that_name(header: str, expected: str | None) -> None:
    assert without_cookie(header, "fg_token") == expected
