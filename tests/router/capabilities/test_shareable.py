"""@shareable fields and shared root fields: the planner picks the subgraph that serves the whole
selection, so no extra hop (and no request to the other subgraph) happens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: STOREFRONT) @join__type(graph: WAREHOUSE) {
  products: [Product!]!
}
type Product @join__type(graph: STOREFRONT, key: "id") @join__type(graph: WAREHOUSE, key: "id") {
  id: ID!
  name: String!
  price: Int! @join__field(graph: STOREFRONT)
  stock: Int! @join__field(graph: WAREHOUSE)
}
"""

ITEMS = [{"id": "1", "name": "Lamp"}, {"id": "2", "name": "Desk"}]


def _subgraphs() -> dict[str, TestSubgraph]:
    storefront = TestSubgraph(
        """
        type Query { products: [Product!]! @shareable }
        type Product @key(fields: "id") { id: ID! name: String! @shareable price: Int! }
        """,
        resolvers={"Query.products": lambda _r, _i: [{**p, "price": int(p["id"]) * 100} for p in ITEMS]},
        entities={
            "Product": lambda rep: {"__typename": "Product", "id": rep["id"], "price": int(rep["id"]) * 100}
        },
    )
    warehouse = TestSubgraph(
        """
        type Query { products: [Product!]! @shareable }
        type Product @key(fields: "id") { id: ID! name: String! @shareable stock: Int! }
        """,
        resolvers={"Query.products": lambda _r, _i: [{**p, "stock": int(p["id"]) * 7} for p in ITEMS]},
        entities={
            "Product": lambda rep: {"__typename": "Product", "id": rep["id"], "stock": int(rep["id"]) * 7}
        },
    )
    return {"storefront": storefront, "warehouse": warehouse}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


@pytest.mark.parametrize(
    ("field", "values", "served_by", "idle"),
    [("price", [100, 200], "storefront", "warehouse"), ("stock", [7, 14], "warehouse", "storefront")],
)
async def test_shared_root_field_is_served_by_the_subgraph_that_has_everything(
    fed: Federation, field: str, values: list[int], served_by: str, idle: str
) -> None:
    fed.reset()
    body = await fed.query(f"{{ products {{ name {field} }} }}")
    assert body == {
        "data": {"products": [{"name": "Lamp", field: values[0]}, {"name": "Desk", field: values[1]}]}
    }
    assert len(fed.subgraphs[served_by].received) == 1
    assert fed.subgraphs[idle].received == []


async def test_fields_of_both_subgraphs_need_one_entity_jump(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { id price stock } }")
    assert body == {
        "data": {"products": [{"id": "1", "price": 100, "stock": 7}, {"id": "2", "price": 200, "stock": 14}]}
    }
    assert len(fed.subgraphs["storefront"].received) + len(fed.subgraphs["warehouse"].received) == 2
