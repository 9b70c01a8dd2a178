"""Introspection policy: off by default, `__typename` always allowed, on when configured."""

from __future__ import annotations

import httpx
import orjson
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from router.app import create_app
from router.config import RouterConfig
from router.pipeline import StageSlots
from router.security.config import AuthConfig
from router.stages.authn import AuthnStage
from router.stages.introspection import selects_introspection
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router
from tests.support.servers import running_server


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename products { name } }", False),
        ("{ __schema { types { name } } }", True),
        ('{ __type(name: "Product") { name } }', True),
        ("{ ... on Query { __schema { queryType { name } } } }", True),
        ("{ ...F } fragment F on Query { __type(name: \"Review\") { name } }", True),
        ("{ products { __typename } }", False),
    ],
)
def test_selects_introspection(query: str, expected: bool) -> None:
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    assert selects_introspection(operation.selection_set, fragments) is expected


async def post(client: httpx.AsyncClient, query: str) -> dict[str, object]:
    response = await client.post("/graphql", content=orjson.dumps({"query": query}), headers=JSON_HEADERS)
    body: dict[str, object] = response.json()
    return body


async def test_introspection_is_refused_by_default(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl) as client:
        refused = await post(client, "{ __schema { queryType { name } } }")
        assert "data" not in refused
        assert refused["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"  # type: ignore[index]
        typename = await post(client, "{ __typename }")
        assert typename == {"data": {"__typename": "Query"}}


async def test_introspection_when_enabled(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl, {"introspection": True}) as client:
        answer = await post(client, '{ __schema { queryType { name } } __type(name: "Review") { fields { name } } }')
        assert answer == {
            "data": {
                "__schema": {"queryType": {"name": "Query"}},
                "__type": {"fields": [{"name": "body"}, {"name": "stars"}]},
            }
        }


async def test_admins_may_always_introspect(subgraphs: Subgraphs) -> None:
    secret = b"introspection-test-secret-of-32-bytes!!"
    auth = AuthConfig(
        issuer="https://auth.test", audience="fitgraph", algorithms=("HS256",), hs256_secret=secret.decode()
    )
    issuer = TokenIssuer(KeyRing(), issuer="https://auth.test", audience="fitgraph", hs256_secret=secret)
    admin = issuer.issue("admin-1", roles=["admin"], symmetric=True)
    member = issuer.issue("user-1", roles=["user"], symmetric=True)
    app = create_app(RouterConfig(), subgraphs.sdl, slots=StageSlots(authentication=AuthnStage(auth)))
    query = orjson.dumps({"query": "{ __schema { queryType { name } } }"})
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
        as_admin = await client.post("/graphql", content=query, headers={**JSON_HEADERS, "authorization": f"Bearer {admin}"})
        assert as_admin.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
        for headers in ({"authorization": f"Bearer {member}"}, {}):
            refused = await client.post("/graphql", content=query, headers={**JSON_HEADERS, **headers})
            assert refused.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
