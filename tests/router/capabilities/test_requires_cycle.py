"""@requires that bounce between two subgraphs (A needs a field of B, which needs a field of A
computed from it): resolved by ordering fetches, each hop sending what the previous returned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: PRICES) @join__type(graph: RATES) {
  products: [Product!]! @join__field(graph: PRICES)
}
type Product @join__type(graph: PRICES, key: "id") @join__type(graph: RATES, key: "id") {
  id: ID!
  price: Int! @join__field(graph: PRICES)
  rate: Int! @join__field(graph: RATES) @join__field(graph: PRICES, external: true)
  tax: Int! @join__field(graph: PRICES, requires: "rate") @join__field(graph: RATES, external: true)
  total: Int! @join__field(graph: RATES, requires: "tax")
}
"""

PRICES = {"1": 100, "2": 50}
RATES = {"1": 20, "2": 10}


def _subgraphs() -> dict[str, TestSubgraph]:
    def _prices(rep: dict[str, Any]) -> dict[str, Any]:
        price = PRICES[rep["id"]]
        entity: dict[str, Any] = {"__typename": "Product", "id": rep["id"], "price": price}
        if "rate" in rep:
            entity["tax"] = price * rep["rate"] // 100
        return entity

    def _rates(rep: dict[str, Any]) -> dict[str, Any]:
        entity: dict[str, Any] = {"__typename": "Product", "id": rep["id"], "rate": RATES[rep["id"]]}
        if "tax" in rep:
            entity["total"] = PRICES[rep["id"]] + rep["tax"]
        return entity

    prices = TestSubgraph(
        """
        type Query { products: [Product!]! }
        type Product @key(fields: "id") {
          id: ID! price: Int! rate: Int! @external tax: Int! @requires(fields: "rate")
        }
        """,
        resolvers={"Query.products": lambda _r, _i: [{"id": k, "price": v} for k, v in PRICES.items()]},
        entities={"Product": _prices},
    )
    rates = TestSubgraph(
        """
        type Product @key(fields: "id") {
          id: ID! rate: Int! tax: Int! @external total: Int! @requires(fields: "tax")
        }
        """,
        entities={"Product": _rates},
    )
    return {"prices": prices, "rates": rates}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_requirements_bouncing_between_two_subgraphs(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { id total } }")
    assert body == {"data": {"products": [{"id": "1", "total": 120}, {"id": "2", "total": 55}]}}
    assert fed.subgraphs["rates"].representations[-2:] == [
        {"__typename": "Product", "id": "1", "tax": 20},
        {"__typename": "Product", "id": "2", "tax": 5},
    ]
