"""Planner fixes end to end (engine -> planner -> executor -> loopback subgraphs):

- two @requires needing one field with different arguments (`price(currency: "USD")` and
  `price(currency: "EUR")`) each get their own value, sent by separate entity fetches;
- a @shareable root field that each subgraph resolves itself is fetched from every subgraph
  in parallel, with no entity call (the `price` subgraph here has no entity resolver at all).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

CONFLICT = """
type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: B)
}
type Product @join__type(graph: A, key: "upc") @join__type(graph: B, key: "upc") {
  upc: String!
  weight: Int @join__field(graph: A, external: true) @join__field(graph: B)
  price(currency: String!): Int @join__field(graph: A, external: true) @join__field(graph: B)
  shippingEstimate: Int @join__field(graph: A, requires: "price(currency: \\"USD\\") weight")
  shippingEstimateEUR: Int @join__field(graph: A, requires: "price(currency: \\"EUR\\") weight")
  name: String @join__field(graph: B)
}
"""

PRODUCTS = [
    {"upc": "p1", "name": "p-name-1", "price": 11, "weight": 1},
    {"upc": "p2", "name": "p-name-2", "price": 22, "weight": 2},
]


def _price(product: dict[str, Any], _info: Any, currency: str) -> int:
    if currency == "EUR":
        return int(product["price"] * 2)
    return int(product["price"])


def _estimate(rep: dict[str, Any]) -> dict[str, Any]:
    # the representation carries one `price`: whichever the requiring field asked for
    value = rep["price"] * rep["weight"] * 10
    return {
        "__typename": "Product",
        "upc": rep["upc"],
        "shippingEstimate": value,
        "shippingEstimateEUR": value,
    }


def _conflict_subgraphs() -> dict[str, TestSubgraph]:
    a = TestSubgraph(
        """
        type Product @key(fields: "upc") {
          upc: String!
          weight: Int @external
          price(currency: String!): Int @external
          shippingEstimate: Int @requires(fields: "price(currency: \\"USD\\") weight")
          shippingEstimateEUR: Int @requires(fields: "price(currency: \\"EUR\\") weight")
        }
        """,
        entities={"Product": _estimate},
    )
    b = TestSubgraph(
        """
        type Query { products: [Product] }
        type Product @key(fields: "upc") { upc: String! name: String price(currency: String!): Int weight: Int }
        """,
        resolvers={
            "Query.products": lambda _r, _i: [dict(p) for p in PRODUCTS],
            "Product.price": _price,
        },
        entities={"Product": lambda rep: next((dict(p) for p in PRODUCTS if p["upc"] == rep["upc"]), None)},
    )
    return {"a": a, "b": b}


@pytest.fixture(scope="module")
async def conflict() -> AsyncIterator[Federation]:
    async with federation(_conflict_subgraphs(), CONFLICT) as running:
        yield running


async def test_requirements_with_conflicting_arguments_each_get_their_own_value(conflict: Federation) -> None:
    conflict.reset()
    body = await conflict.query("{ products { upc name shippingEstimate shippingEstimateEUR } }")
    assert body == {
        "data": {
            "products": [
                {"upc": "p1", "name": "p-name-1", "shippingEstimate": 110, "shippingEstimateEUR": 220},
                {"upc": "p2", "name": "p-name-2", "shippingEstimate": 440, "shippingEstimateEUR": 880},
            ]
        }
    }
    sent = sorted(
        (request.representations for request in conflict.subgraphs["a"].received),
        key=lambda reps: reps[0]["price"],
    )
    assert sent == [
        [
            {"__typename": "Product", "upc": "p1", "price": 11, "weight": 1},
            {"__typename": "Product", "upc": "p2", "price": 22, "weight": 2},
        ],
        [
            {"__typename": "Product", "upc": "p1", "price": 22, "weight": 1},
            {"__typename": "Product", "upc": "p2", "price": 44, "weight": 2},
        ],
    ]


async def test_a_single_requirement_is_sent_without_an_internal_alias(conflict: Federation) -> None:
    conflict.reset()
    body = await conflict.query("{ products { upc shippingEstimateEUR } }")
    assert body == {
        "data": {
            "products": [{"upc": "p1", "shippingEstimateEUR": 220}, {"upc": "p2", "shippingEstimateEUR": 880}]
        }
    }
    [request] = conflict.subgraphs["a"].received
    assert [rep["price"] for rep in request.representations] == [22, 44]


SHARED = """
type Query @join__type(graph: CATEGORY) @join__type(graph: NAME) @join__type(graph: PRICE) {
  product: Product
}
type Product @join__type(graph: CATEGORY, key: "id") @join__type(graph: NAME, key: "id")
  @join__type(graph: PRICE, key: "id") {
  id: ID!
  category: String @join__field(graph: CATEGORY)
  name: String @join__field(graph: NAME)
  price: Float @join__field(graph: PRICE)
}
"""

PRODUCT = {"id": "1", "name": "Product 1", "category": "Category 1", "price": 100.0}


def _shared_subgraph(own: str, entities: bool) -> TestSubgraph:
    def resolve(_root: Any, _info: Any) -> dict[str, Any]:
        return {"id": PRODUCT["id"], own: PRODUCT[own]}

    kind = "Float" if own == "price" else "String"
    return TestSubgraph(
        f"""
        type Query {{ product: Product @shareable }}
        type Product @key(fields: "id") {{ id: ID! {own}: {kind} }}
        """,
        resolvers={"Query.product": resolve},
        entities={"Product": lambda rep: {"id": rep["id"], own: PRODUCT[own]}} if entities else {},
    )


@pytest.fixture(scope="module")
async def shared() -> AsyncIterator[Federation]:
    subgraphs = {
        "category": _shared_subgraph("category", True),
        "name": _shared_subgraph("name", True),
        # like the audit's `shared-root` price subgraph: entity calls are refused
        "price": _shared_subgraph("price", False),
    }
    async with federation(subgraphs, SHARED) as running:
        yield running


async def test_a_shareable_root_field_is_answered_by_each_subgraph_without_entity_calls(
    shared: Federation,
) -> None:
    shared.reset()
    body = await shared.query("{ product { id name category price } }")
    assert body == {
        "data": {"product": {"id": "1", "name": "Product 1", "category": "Category 1", "price": 100.0}}
    }
    for name in ("category", "name", "price"):
        [request] = shared.subgraphs[name].received
        assert "_entities" not in request.query
        assert request.representations == []
