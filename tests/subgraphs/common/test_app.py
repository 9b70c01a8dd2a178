"""The shared app factory, context and error handling, on a tiny schema served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.types import Info
from structlog.testing import capture_logs

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.context import (
    RequestContext,
    make_context_getter,
    require_admin,
    require_auth,
    require_scope,
)
from subgraphs.common.errors import BadUserInput, Conflict, NotFound
from subgraphs.common.identity import authenticator_for
from subgraphs.common.schema import build_schema
from subgraphs.common.settings import SubgraphSettings
from tests.support.servers import running_server


@strawberry.type
class Query:
    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("database password is hunter2")

    @strawberry.field
    def bad(self) -> str:
        raise BadUserInput("Nope", field="thing")

    @strawberry.field
    def conflict(self) -> str:
        raise Conflict("Taken")

    @strawberry.field
    def missing(self) -> str:
        raise NotFound("Gone")

    @strawberry.field
    def whoami(self, info: Info[Any, Any]) -> str:
        return require_auth(info).subject

    @strawberry.field
    def profile(self, info: Info[Any, Any]) -> str:
        return require_scope(info, "profile:read").subject

    @strawberry.field
    def admin(self, info: Info[Any, Any]) -> str:
        return require_admin(info).subject

    @strawberry.field
    def request_id(self, info: Info[Any, Any]) -> str:
        context = info.context
        assert isinstance(context, RequestContext)
        return context.request_id

    @strawberry.field
    def public(self) -> str:
        return "hello"

    @strawberry.field
    def broken(self) -> str:
        return None  # type: ignore[return-value]  # a resolver bug: null for a non-null field


@dataclass
class Served:
    url: str
    issuer: TokenIssuer
    client: httpx.AsyncClient

    async def gql(self, query: str, token: str | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        sent = {**(headers or {})}
        if token:
            sent["authorization"] = f"Bearer {token}"
        response = await self.client.post(f"{self.url}/graphql", json={"query": query}, headers=sent)
        body: dict[str, Any] = response.json()
        return body


async def _serve(mask_errors: bool) -> AsyncIterator[Served]:
    settings = SubgraphSettings(mask_errors=mask_errors)
    keyring = KeyRing.ephemeral()
    app = create_subgraph_app(
        schema=build_schema(query=Query, mask_errors=mask_errors),
        context_getter=make_context_getter(authenticator=authenticator_for(settings, keyring=keyring)),
        settings=settings,
        name="tiny",
    )
    issuer = TokenIssuer(keyring, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    async with running_server(app) as url, httpx.AsyncClient(timeout=10) as client:
        yield Served(url, issuer, client)


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[Served]:
    async for item in _serve(mask_errors=True):
        yield item


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_internal_errors_are_masked_and_logged_with_the_request_id(served: Served) -> None:
    with capture_logs() as logs:
        response = await served.client.post(
            f"{served.url}/graphql", json={"query": "{ boom }"}, headers={"x-request-id": "req-42"}
        )
    body = response.json()
    assert body["errors"][0]["message"] == "Internal server error"
    assert _codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert "hunter2" not in str(body)
    [entry] = [log for log in logs if log["event"] == "internal_error"]
    assert entry["request_id"] == "req-42"
    assert "hunter2" in entry["error"]
    assert entry["path"] == ["boom"]


async def test_execution_failures_without_an_exception_get_a_code(served: Served) -> None:
    body = await served.gql("{ broken }")
    assert _codes(body) == ["INTERNAL_SERVER_ERROR"]


async def test_parse_and_validation_errors_get_codes(served: Served) -> None:
    assert _codes(await served.gql("{ public ")) == ["GRAPHQL_PARSE_FAILED"]
    assert _codes(await served.gql("{ nope }")) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_client_errors_keep_their_code_and_message(served: Served) -> None:
    bad = await served.gql("{ bad }")
    assert bad["errors"][0]["message"] == "Nope"
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "thing"}
    assert _codes(await served.gql("{ conflict }")) == ["CONFLICT"]
    assert _codes(await served.gql("{ missing }")) == ["NOT_FOUND"]


async def test_auth_helpers(served: Served) -> None:
    # Explicit scopes keep this test independent of the role -> scope mapping.
    user = served.issuer.issue("u-1", roles=["user"], scopes=["profile:read"])
    bi = served.issuer.issue("u-2", roles=["bi"], scopes=["bi:read"])
    admin = served.issuer.issue("u-3", roles=["admin"], scopes=[])
    assert (await served.gql("{ whoami profile }", user))["data"] == {"whoami": "u-1", "profile": "u-1"}
    assert _codes(await served.gql("{ whoami }")) == ["UNAUTHENTICATED"]
    assert _codes(await served.gql("{ profile }", bi)) == ["FORBIDDEN"]
    assert _codes(await served.gql("{ admin }", user)) == ["FORBIDDEN"]
    assert (await served.gql("{ admin }", admin))["data"] == {"admin": "u-3"}
    assert (await served.gql("{ public }"))["data"] == {"public": "hello"}


async def test_bad_token_fails_the_whole_operation(served: Served) -> None:
    body = await served.gql("{ public }", "not-a-token")
    assert body["data"] is None
    assert _codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["extensions"]["reason"] == "malformed"


async def test_identity_headers_are_not_identity(served: Served) -> None:
    body = await served.gql("{ whoami }", headers={"x-user-id": "u-9", "x-user-roles": "admin"})
    assert _codes(body) == ["UNAUTHENTICATED"]


async def test_request_id_is_propagated(served: Served) -> None:
    response = await served.client.post(
        f"{served.url}/graphql", json={"query": "{ requestId }"}, headers={"x-request-id": "abc-123"}
    )
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["data"] == {"requestId": "abc-123"}
    generated = await served.client.post(f"{served.url}/graphql", json={"query": "{ requestId }"})
    assert generated.json()["data"]["requestId"] == generated.headers["x-request-id"]
    assert len(generated.headers["x-request-id"]) == 32


async def test_get_queries_health_and_metrics(served: Served) -> None:
    got = await served.client.get(f"{served.url}/graphql", params={"query": "{ public }"})
    assert got.json() == {"data": {"public": "hello"}}
    health = await served.client.get(f"{served.url}/health")
    assert health.json() == {"status": "ok", "service": "tiny"}
    await served.client.get(f"{served.url}/no-such-page")
    metrics = (await served.client.get(f"{served.url}/metrics")).text
    assert 'fitgraph_http_requests_total{method="GET",path="/graphql",service="tiny",status="200"}' in metrics
    assert 'path="other",service="tiny",status="404"' in metrics
    assert "/no-such-page" not in metrics


async def test_transport_errors_are_graphql_shaped(served: Served) -> None:
    not_json = await served.client.post(
        f"{served.url}/graphql", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    assert _codes(not_json.json()) == ["BAD_REQUEST"]
    no_query = await served.client.post(f"{served.url}/graphql", json={"variables": {}})
    assert no_query.status_code == 400
    assert _codes(no_query.json()) == ["BAD_REQUEST"]
    mutation_via_get = await served.client.get(f"{served.url}/graphql", params={"query": "mutation { x }"})
    assert mutation_via_get.status_code == 405
    assert mutation_via_get.headers["allow"] == "POST"
    assert _codes(mutation_via_get.json()) == ["METHOD_NOT_ALLOWED"]


async def test_unmasked_mode_shows_the_message_but_keeps_a_code() -> None:
    async for served in _serve(mask_errors=False):
        body = await served.gql("{ boom }")
        assert body["errors"][0]["message"] == "database password is hunter2"
        assert _codes(body) == ["INTERNAL_SERVER_ERROR"]
