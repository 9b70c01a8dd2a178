"""Estimated cost (issue 4): `@cost` / `@listSize` where the supergraph has them, default
weights otherwise; `limits.max_cost` refuses an operation before planning, and
`rate_limit.cost: estimated` takes its estimate from the caller's bucket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_ast_schema, parse

from router.config import parse_config
from router.security.cost import CostDirectives, CostEstimator, ListSize
from tests.router.http.fixtures import JSON_HEADERS, serve_router
from tests.router.supergraph.sdl import join_graph_enum, supergraph_header
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

# --- the estimator on its own ------------------------------------------------------------

SCHEMA = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{name: "@cost", as: "@weight"}, "@listSize"])
{ query: Query mutation: Mutation }

directive @link(url: String, as: String, import: [link__Import]) repeatable on SCHEMA
directive @weight(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
scalar link__Import

type Query {
  motd: String
  product(id: ID!): Product
  products(first: Int, last: Int): [Product!]! @listSize(slicingArguments: ["first", "last"], assumedSize: 7)
  tags: [String!]!
  search(text: String, fuzzy: Boolean @weight(weight: 20)): ProductConnection! @listSize(slicingArguments: ["limit"], sizedFields: ["edges"], assumedSize: 4)
  report: String @weight(weight: 30)
}

type Mutation {
  addReview(body: String!): Review
  reindex: Boolean @weight(weight: 3)
}

type Product {
  id: ID!
  name: String
  reviews: [Review!]!
}

type Review @weight(weight: 5) {
  body: String
}

type ProductConnection {
  edges: [ProductEdge!]!
  total: Int
}

type ProductEdge {
  node: Product!
}
"""


def estimate(query: str, variables: dict[str, Any] | None = None, default_list_size: int = 10) -> float:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    schema = build_ast_schema(parse(SCHEMA), assume_valid_sdl=True)
    estimator = CostEstimator(schema, CostDirectives.from_sdl(SCHEMA), default_list_size=default_list_size)
    return estimator.estimate(operation, fragments, variables)


def test_directives_are_read_under_their_linked_names() -> None:
    directives = CostDirectives.from_sdl(SCHEMA)
    assert directives.type_weights == {"Review": 5.0}
    assert directives.field_weights == {("Query", "report"): 30.0, ("Mutation", "reindex"): 3.0}
    assert directives.argument_weights == {("Query", "search", "fuzzy"): 20.0}
    assert directives.list_sizes[("Query", "products")] == ListSize(7, ("first", "last"), ())
    assert directives.list_sizes[("Query", "search")] == ListSize(4, ("limit",), ("edges",))
    # Without a cost link the directives go by their bare names; renamed ones are not @cost.
    bare = CostDirectives.from_sdl("type Query { a: String @cost(weight: 2) b: Int @weight(weight: 9) }")
    assert bare.field_weights == {("Query", "a"): 2.0}


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        # Leaves cost nothing, an object 1, a type's @cost replaces the 1.
        ("{ motd tags }", None, 0),
        ("{ product(id: 1) { name } }", None, 1),
        ("{ product(id: 1) { reviews { body } } }", None, 1 + 10 * 5),
        # A slicing argument sizes the list (literal or variable, the largest of those given).
        ("{ products(first: 3) { name } }", None, 3),
        ("query($n: Int) { products(first: $n) { name } }", {"n": 12}, 12),
        ("{ products(first: 2, last: 6) { id } }", None, 6),
        # Without one: @listSize's assumedSize, else the default list size.
        ("{ products { reviews { body } } }", None, 7 * (1 + 10 * 5)),
        ("query($n: Int) { products(first: $n) { id } }", {}, 7),
        # sizedFields: the connection itself counts once, its `edges` by the size.
        ("{ search { total edges { node { name } } } }", None, 1 + 4 * (1 + 1)),
        # An argument's @cost counts when the operation sets it; a field's @cost wins.
        ('{ search(text: "x", fuzzy: true) { total } }', None, 20 + 1),
        ("{ report }", None, 30),
        # Root mutation fields weigh 10 unless they say otherwise.
        ('mutation { addReview(body: "b") { body } reindex }', None, 10 + 3),
        # Fragments count at every spread, inline fragments too.
        (
            "{ a: product(id: 1) { ...P } b: product(id: 2) { ...P } } fragment P on Product { reviews { body } }",
            None,
            2 * (1 + 50),
        ),
        ("{ product(id: 1) { ... on Product { reviews { body } } } }", None, 1 + 50),
        ("{ __typename product(id: 1) { __typename } }", None, 1),
    ],
)
def test_estimates(query: str, variables: dict[str, Any] | None, expected: float) -> None:
    assert estimate(query, variables) == expected


def test_default_list_size_is_configurable() -> None:
    assert estimate("{ product(id: 1) { reviews { body } } }", default_list_size=2) == 1 + 2 * 5


# --- over HTTP: limits.max_cost and rate_limit.cost ----------------------------------------

SUBGRAPH_SDL = """
type Query {
  motd: String
  users(first: Int): [User!]!
  report: String
}
type User @key(fields: "name") {
  name: String!
}
"""

SUPERGRAPH_BODY = """
type Query @join__type(graph: ACCOUNTS) {
  motd: String @join__field(graph: ACCOUNTS)
  users(first: Int): [User!]! @join__field(graph: ACCOUNTS) @listSize(slicingArguments: ["first"], assumedSize: 50)
  report: String @join__field(graph: ACCOUNTS) @cost(weight: 500)
}
type User @join__type(graph: ACCOUNTS, key: "name") {
  name: String!
}
"""


@pytest.fixture(scope="module")
async def priced() -> AsyncIterator[tuple[TestSubgraph, str]]:
    accounts = TestSubgraph(
        SUBGRAPH_SDL,
        resolvers={
            "Query.motd": lambda _root, _info: "Keep moving",
            "Query.report": lambda _root, _info: "big",
            "Query.users": lambda _root, _info, first=None: [{"name": "Ada"}, {"name": "Grace"}][
                : first or 2
            ],
        },
    )
    header = supergraph_header(
        links=('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])',),
        definitions=(
            "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
            "INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
            "directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
            "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
        ),
    )
    async with running_subgraphs({"accounts": accounts}) as urls:
        yield accounts, f"{header}\n{join_graph_enum({'accounts': urls['accounts']})}{SUPERGRAPH_BODY}"


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=JSON_HEADERS)


async def test_max_cost_refuses_before_any_fetch(priced: tuple[TestSubgraph, str]) -> None:
    accounts, sdl = priced
    accounts.reset()
    async with serve_router(sdl, {"limits": {"max_cost": 100}}) as client:
        cheap = await post(client, "{ motd users(first: 2) { name } }")
        assumed = await post(client, "{ users { name } }")
        weighted = await post(client, "{ report }")
        sliced = await post(client, "query($n: Int) { users(first: $n) { name } }", n=1000)
    assert cheap.status_code == 200
    assert cheap.json() == {"data": {"motd": "Keep moving", "users": [{"name": "Ada"}, {"name": "Grace"}]}}
    assert assumed.json()["data"] == {"users": [{"name": "Ada"}, {"name": "Grace"}]}
    for refused, cost in ((weighted, "500"), (sliced, "1000")):
        body = refused.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
        assert body["errors"][0]["message"] == f"The operation's estimated cost is {cost}; the limit is 100"
    # Only the two affordable operations were fetched.
    assert len(accounts.received) == 2


async def test_rate_limit_takes_the_estimated_cost(priced: tuple[TestSubgraph, str]) -> None:
    _accounts, sdl = priced
    config = parse_config(
        {
            "rate_limit": {
                "backend": "memory",
                "cost": "estimated",
                "tiers": {
                    "anonymous": {"capacity": 100, "refill_per_second": 0.001},
                    "authenticated": {"capacity": 100, "refill_per_second": 0.001},
                },
            }
        }
    )
    async with serve_router(sdl, config) as client:
        thirty = await post(client, "{ users(first: 30) { name } }")
        leaves = await post(client, "{ motd }")
        too_much = await post(client, "{ users(first: 80) { name } }")
    assert thirty.status_code == 200 and thirty.headers["ratelimit-remaining"] == "70"
    # An operation of leaves still costs 1.
    assert leaves.headers["ratelimit-remaining"] == "69"
    assert too_much.status_code == 429
    assert too_much.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
