"""@requires: required fields fetched first and sent inside representations, nested selections
in the requirement, and a chain (a requirement that itself needs a requirement)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

PRODUCTS: list[dict[str, Any]] = [
    {"upc": "p1", "price": 900, "weight": 10, "size": {"width": 2, "depth": 3}},
    {"upc": "p2", "price": 20, "weight": 4, "size": {"width": 1, "depth": 1}},
]

SUPERGRAPH = """
type Query @join__type(graph: PRODUCTS) @join__type(graph: INVENTORY) @join__type(graph: DELIVERY) {
  products: [Product!]! @join__field(graph: PRODUCTS)
}
type Size @join__type(graph: PRODUCTS) @join__type(graph: INVENTORY) {
  width: Int!
  depth: Int!
}
type Product
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: INVENTORY, key: "upc")
  @join__type(graph: DELIVERY, key: "upc")
{
  upc: String!
  price: Int! @join__field(graph: PRODUCTS) @join__field(graph: INVENTORY, external: true)
  weight: Int! @join__field(graph: PRODUCTS) @join__field(graph: INVENTORY, external: true)
  size: Size! @join__field(graph: PRODUCTS) @join__field(graph: INVENTORY, external: true)
  shippingEstimate: Int! @join__field(graph: INVENTORY, requires: "price weight") @join__field(graph: DELIVERY, external: true)
  volume: Int! @join__field(graph: INVENTORY, requires: "size { width depth }")
  deliveryNote: String! @join__field(graph: DELIVERY, requires: "shippingEstimate")
}
"""


def _subgraphs() -> dict[str, TestSubgraph]:
    products = TestSubgraph(
        """
        type Query { products: [Product!]! }
        type Size @shareable { width: Int! depth: Int! }
        type Product @key(fields: "upc") { upc: String! price: Int! weight: Int! size: Size! }
        """,
        resolvers={"Query.products": lambda _r, _i: [{"__typename": "Product", **p} for p in PRODUCTS]},
    )

    def _inventory(rep: dict[str, Any]) -> dict[str, Any]:
        entity: dict[str, Any] = {"__typename": "Product", "upc": rep["upc"]}
        if "price" in rep:
            entity["shippingEstimate"] = 0 if rep["price"] > 500 else rep["weight"] * 2
        if "size" in rep:
            entity["volume"] = rep["size"]["width"] * rep["size"]["depth"]
        return entity

    inventory = TestSubgraph(
        """
        type Size @shareable { width: Int! depth: Int! }
        type Product @key(fields: "upc") {
          upc: String! price: Int! @external weight: Int! @external size: Size! @external
          shippingEstimate: Int! @requires(fields: "price weight")
          volume: Int! @requires(fields: "size { width depth }")
        }
        """,
        entities={"Product": _inventory},
    )
    delivery = TestSubgraph(
        """
        type Product @key(fields: "upc") {
          upc: String! shippingEstimate: Int! @external deliveryNote: String! @requires(fields: "shippingEstimate")
        }
        """,
        entities={
            "Product": lambda rep: {
                "__typename": "Product",
                "upc": rep["upc"],
                "deliveryNote": "free"
                if rep["shippingEstimate"] == 0
                else f"costs {rep['shippingEstimate']}",
            }
        },
    )
    return {"products": products, "inventory": inventory, "delivery": delivery}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_required_fields_are_sent_in_representations_and_never_returned(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { upc shippingEstimate volume } }")
    assert body == {
        "data": {
            "products": [
                {"upc": "p1", "shippingEstimate": 0, "volume": 6},
                {"upc": "p2", "shippingEstimate": 8, "volume": 1},
            ]
        }
    }
    assert fed.subgraphs["inventory"].representations == [
        {"__typename": "Product", "upc": "p1", "price": 900, "weight": 10, "size": {"width": 2, "depth": 3}},
        {"__typename": "Product", "upc": "p2", "price": 20, "weight": 4, "size": {"width": 1, "depth": 1}},
    ]


async def test_requirement_chain_across_three_subgraphs(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { deliveryNote } }")
    assert body == {"data": {"products": [{"deliveryNote": "free"}, {"deliveryNote": "costs 8"}]}}
    assert fed.subgraphs["delivery"].representations == [
        {"__typename": "Product", "upc": "p1", "shippingEstimate": 0},
        {"__typename": "Product", "upc": "p2", "shippingEstimate": 8},
    ]
