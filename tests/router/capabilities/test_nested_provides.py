"""Nested @provides: a subgraph returning an entity with a nested provided selection serves it
without a jump; fields outside the provided selection still come from the owner."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: CATALOG) @join__type(graph: STOCK) {
  products: [Product!]! @join__field(graph: CATALOG)
}
type Product @join__type(graph: CATALOG, key: "id") {
  id: ID!
  warehouse: Warehouse! @join__field(graph: CATALOG, provides: "name city { name }")
}
type Warehouse @join__type(graph: CATALOG, key: "id") @join__type(graph: STOCK, key: "id") {
  id: ID!
  name: String! @join__field(graph: CATALOG, external: true) @join__field(graph: STOCK)
  city: City! @join__field(graph: CATALOG, external: true) @join__field(graph: STOCK)
  capacity: Int! @join__field(graph: STOCK)
}
type City @join__type(graph: CATALOG) @join__type(graph: STOCK) {
  name: String!
}
"""

WAREHOUSE = {"__typename": "Warehouse", "id": "w1", "name": "North", "city": {"name": "Oslo"}}


def _subgraphs() -> dict[str, TestSubgraph]:
    catalog = TestSubgraph(
        """
        type Query { products: [Product!]! }
        type Product @key(fields: "id") { id: ID! warehouse: Warehouse! @provides(fields: "name city { name }") }
        type Warehouse @key(fields: "id") { id: ID! name: String! @external city: City! @external }
        type City @shareable { name: String! }
        """,
        resolvers={
            "Query.products": lambda _r, _i: [
                {"id": "p1", "warehouse": WAREHOUSE},
                {"id": "p2", "warehouse": WAREHOUSE},
            ]
        },
    )
    stock = TestSubgraph(
        """
        type Warehouse @key(fields: "id") { id: ID! name: String! city: City! capacity: Int! }
        type City @shareable { name: String! }
        """,
        entities={"Warehouse": lambda rep: {**WAREHOUSE, "capacity": 500}},
    )
    return {"catalog": catalog, "stock": stock}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_nested_provided_selection_needs_no_jump(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { warehouse { name city { name } } } }")
    warehouse = {"name": "North", "city": {"name": "Oslo"}}
    assert body == {"data": {"products": [{"warehouse": warehouse}, {"warehouse": warehouse}]}}
    assert fed.subgraphs["stock"].received == []


async def test_field_outside_the_provided_selection_jumps_once_for_the_shared_entity(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { warehouse { name capacity } } }")
    warehouse = {"name": "North", "capacity": 500}
    assert body == {"data": {"products": [{"warehouse": warehouse}, {"warehouse": warehouse}]}}
    assert fed.subgraphs["stock"].representations == [{"__typename": "Warehouse", "id": "w1"}]
