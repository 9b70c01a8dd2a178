"""Property-based fuzzing of the real router over FitGraph's supergraph with schemathesis's
GraphQL support (hypothesis-graphql underneath): generated queries and mutations, valid by
construction against the API schema, sent anonymously and with a verified token. Every
answer must be a GraphQL response (`data` or `errors`, GraphQL-over-HTTP §Response) and never
a 5xx; a request that hangs fails on the client timeout (the router's subgraph timeout + 5 s).

schemathesis's own `case.call` is synchronous (requests) and would block the event loop the
router and subgraphs run on, so each generated case is sent with httpx from the same loop
(`case.as_transport_kwargs`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import print_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router.app import create_app as create_router_app
from tests.router.attacks.stack import ROOT, FitGraphStack, router_config
from tests.support.servers import running_server

SUBJECT = "00000000-0000-4000-8000-0000000000f0"


@dataclass
class Target:
    client: httpx.AsyncClient
    base_url: str
    strategy: st.SearchStrategy[Any]
    token: str
    timeout: float


@pytest.fixture(scope="module")
async def target(stack: FitGraphStack) -> AsyncIterator[Target]:
    config = router_config(stack)
    app = create_router_app(config, stack.supergraph_sdl, base_dir=ROOT)
    # Generated from the API schema (what clients see: no join__/inaccessible elements),
    # which is also why the router's own introspection can stay off.
    api_sdl = print_schema(app.state.engine_holder.engine.api_schema)
    schema = schemathesis.graphql.from_file(api_sdl)
    timeout = config.subgraphs.timeout + 5.0
    async with running_server(app) as base_url, httpx.AsyncClient(timeout=timeout) as client:
        yield Target(client, f"{base_url}{config.server.graphql_path}", schema.as_strategy(), stack.token(SUBJECT), timeout)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), signed_in=st.booleans())
async def test_generated_operations_never_get_a_5xx(target: Target, data: st.DataObject, signed_in: bool) -> None:
    case = data.draw(target.strategy, label="case")
    kwargs = case.as_transport_kwargs(base_url=target.base_url)
    # schemathesis sets Content-Type: application/json and Accept: */*.
    headers = dict(kwargs.get("headers") or {})
    if signed_in:
        headers["authorization"] = f"Bearer {target.token}"
    response = await target.client.request(
        kwargs["method"], kwargs["url"], json=kwargs.get("json"), params=kwargs.get("params"), headers=headers
    )
    assert response.status_code < 500, f"{response.status_code} for {case.body!r}: {response.text[:500]}"
    # Valid by construction and under application/json: a well-formed request is a 200
    # (GraphQL-over-HTTP §Status codes), whatever the resolvers think of the values.
    assert response.status_code == 200, f"{response.status_code} for {case.body!r}: {response.text[:500]}"
    body = response.json()
    assert isinstance(body, dict), response.text[:500]
    assert "data" in body or body.get("errors"), response.text[:500]
    for error in body.get("errors", []):
        assert isinstance(error.get("message"), str), response.text[:500]
