"""A real router over real subgraphs on loopback, for the HTTP and stage tests.

Two small subgraphs (products, reviews: `Product.reviews` lives in reviews, so a query for it
needs an entity jump) are served once per module; each test starts its own router (uvicorn on a
free port) with the router.yaml it needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import GraphQLError

from router.app import create_app
from router.config import RouterConfig, parse_config
from tests.router.supergraph.sdl import join_graph_enum, supergraph_header
from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import running_server

PRODUCTS_SDL = """
type Query {
  product(id: ID!): Product
  products(first: Int = 10): [Product!]!
  broken: String
}
type Mutation {
  addProduct(name: String!, price: Int): Product!
}
type Product @key(fields: "id") {
  id: ID!
  name: String!
  price: Int
}
"""

REVIEWS_SDL = """
type Product @key(fields: "id") {
  id: ID!
  reviews: [Review!]!
}
type Review {
  body: String!
  stars: Int!
}
"""

_SUPERGRAPH_BODY = """
type Query @join__type(graph: PRODUCTS) @join__type(graph: REVIEWS) {
  product(id: ID!): Product @join__field(graph: PRODUCTS)
  products(first: Int = 10): [Product!]! @join__field(graph: PRODUCTS)
  broken: String @join__field(graph: PRODUCTS)
}

type Mutation @join__type(graph: PRODUCTS) {
  addProduct(name: String!, price: Int): Product!
}

type Product @join__type(graph: PRODUCTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String! @join__field(graph: PRODUCTS)
  price: Int @join__field(graph: PRODUCTS)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Review @join__type(graph: REVIEWS) {
  body: String!
  stars: Int!
}
"""

CATALOGUE = {
    "1": {"id": "1", "name": "Kettlebell", "price": 40},
    "2": {"id": "2", "name": "Yoga mat", "price": 25},
    "3": {"id": "3", "name": "Rowing machine", "price": 900},
}
REVIEWS = {
    "1": [{"body": "Solid", "stars": 5}],
    "2": [{"body": "Too thin", "stars": 2}, {"body": "Fine", "stars": 4}],
    "3": [],
}


def supergraph_sdl(urls: dict[str, str]) -> str:
    graph_enum = join_graph_enum({"products": urls["products"], "reviews": urls["reviews"]})
    return f"{supergraph_header(mutation=True)}\n{graph_enum}{_SUPERGRAPH_BODY}"


def _broken(_root: Any, _info: Any) -> None:
    raise GraphQLError("database password is hunter2", extensions={"code": "DB_DOWN"})


def _add_product(_root: Any, _info: Any, name: str, price: int | None = None) -> dict[str, Any]:
    return {"id": "new", "name": name, "price": price}


def _typed(product: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if product is None else {"__typename": "Product", **product}


@dataclass
class Subgraphs:
    products: TestSubgraph
    reviews: TestSubgraph
    urls: dict[str, str]
    sdl: str

    def reset(self) -> None:
        self.products.reset()
        self.reviews.reset()


@pytest.fixture(scope="module")
async def subgraphs() -> AsyncIterator[Subgraphs]:
    products = TestSubgraph(
        PRODUCTS_SDL,
        resolvers={
            "Query.product": lambda _root, _info, id: CATALOGUE.get(id),
            "Query.products": lambda _root, _info, first=10: list(CATALOGUE.values())[:first],
            "Query.broken": _broken,
            "Mutation.addProduct": _add_product,
        },
        entities={"Product": lambda rep: _typed(CATALOGUE.get(rep["id"]))},
    )
    reviews = TestSubgraph(
        REVIEWS_SDL,
        resolvers={"Product.reviews": lambda parent, _info: REVIEWS.get(parent["id"], [])},
        entities={"Product": lambda rep: {"__typename": "Product", "id": rep["id"]}},
    )
    async with running_subgraphs({"products": products, "reviews": reviews}) as urls:
        yield Subgraphs(products, reviews, urls, supergraph_sdl(urls))


@pytest.fixture(autouse=True)
def fresh_subgraphs(request: pytest.FixtureRequest) -> None:
    if "subgraphs" in request.fixturenames:
        request.getfixturevalue("subgraphs").reset()


@contextlib.asynccontextmanager
async def serve_router(
    sdl: str, config: RouterConfig | dict[str, Any] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The router app on a free loopback port; yields an httpx client bound to it."""
    settings = config if isinstance(config, RouterConfig) else parse_config(config or {})
    app = create_app(settings, sdl)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        yield client


# Headers a browser-like client would not send but a GraphQL client does: passes CSRF.
JSON_HEADERS = {"content-type": "application/json"}
