"""A one-subgraph "shop" for the response cache tests, served on loopback.

Its resolvers see the caller (the bearer token the router forwards, verified with the tests'
HS256 secret), so `me` really is per-user data: a cache mix-up would show up as one user's
e-mail in another's response. Every request the subgraph answers is counted.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
from graphql import GraphQLError, GraphQLObjectType, build_schema, graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from router.engine import Engine
from tests.router.caching.support import AUTH
from tests.router.support.federation import supergraph_sdl
from tests.support.servers import running_server

__all__ = ["SHOP_SUPERGRAPH", "Shop", "running_shop"]

_SUBGRAPH_SDL = """
type Query {
  products: [Product!]!
  product(id: ID!): Product
  me: Account
  greeting: String
  flaky: String
}
type Mutation {
  renameProduct(id: ID!, name: String!): Product!
  touchAccount: Account
}
type Product { id: ID! name: String! price: Int }
type Account { id: ID! email: String! }
"""

SHOP_SUPERGRAPH = supergraph_sdl(
    ["shop"],
    """
directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean)
  on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
enum CacheControlScope @join__type(graph: SHOP) { PUBLIC PRIVATE }

type Query @join__type(graph: SHOP) {
  products: [Product!]! @cacheControl(maxAge: 120)
  product(id: ID!): Product
  me: Account
  greeting: String
  flaky: String @cacheControl(maxAge: 30)
}
type Mutation @join__type(graph: SHOP) {
  renameProduct(id: ID!, name: String!): Product!
  touchAccount: Account
}
type Product @join__type(graph: SHOP) @cacheControl(maxAge: 60) {
  id: ID!
  name: String!
  price: Int
}
type Account @join__type(graph: SHOP) {
  id: ID!
  email: String!
}
""",
)


@dataclass
class Shop:
    url: str
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0

    def engine(self) -> Engine:
        return Engine(SHOP_SUPERGRAPH, subgraph_urls={"shop": self.url})


def _subject(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return None
    assert AUTH.hs256_secret is not None
    payload = jwt.decode(
        header[7:],
        AUTH.hs256_secret.get_secret_value(),
        algorithms=["HS256"],
        audience=AUTH.audience,
        issuer=AUTH.issuer,
    )
    return str(payload["sub"])


@contextlib.asynccontextmanager
async def running_shop() -> AsyncIterator[Shop]:
    schema = build_schema(_SUBGRAPH_SDL)
    shop = Shop(url="")
    shop.products.update(
        {"1": {"id": "1", "name": "Kettlebell", "price": 40}, "2": {"id": "2", "name": "Mat", "price": 25}}
    )

    def flaky(_root: Any, _info: Any) -> str:
        raise GraphQLError("temporarily unavailable")

    def rename(_root: Any, _info: Any, id: str, name: str) -> dict[str, Any]:
        shop.products[id]["name"] = name
        return shop.products[id]

    def me(_root: Any, info: Any) -> dict[str, Any] | None:
        subject = info.context["subject"]
        return None if subject is None else {"id": subject, "email": f"{subject}@example.test"}

    def _root_field(function: Any) -> Any:
        return lambda _root, info, **args: function(info, **args)

    resolvers: dict[tuple[str, str], Any] = {
        ("Query", "products"): _root_field(lambda _info: list(shop.products.values())),
        ("Query", "product"): _root_field(lambda _info, id: shop.products.get(id)),
        ("Query", "greeting"): _root_field(lambda _info: "hello"),
        ("Query", "me"): me,
        ("Query", "flaky"): flaky,
        ("Mutation", "renameProduct"): rename,
        ("Mutation", "touchAccount"): me,
    }
    for (type_name, field_name), resolver in resolvers.items():
        owner = schema.type_map[type_name]
        assert isinstance(owner, GraphQLObjectType)
        owner.fields[field_name].resolve = resolver

    async def endpoint(request: Request) -> JSONResponse:
        shop.requests += 1
        payload = await request.json()
        result = await graphql(
            schema,
            payload["query"],
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
            context_value={"subject": _subject(request)},
        )
        return JSONResponse(result.formatted)

    app = Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])
    async with running_server(app) as base_url:
        shop.url = f"{base_url}/graphql"
        yield shop
