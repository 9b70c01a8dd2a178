"""@requires on a field with arguments and with a fragment in its selection: the router fetches
the required value under its own alias (the client may ask for the same field with other
arguments) and sends it under the field's name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: SHOP) @join__type(graph: LABELS) {
  items: [Item!]! @join__field(graph: SHOP)
}
interface Shape @join__type(graph: SHOP) @join__type(graph: LABELS) {
  area: Int!
}
type Square implements Shape
  @join__implements(graph: SHOP, interface: "Shape") @join__implements(graph: LABELS, interface: "Shape")
  @join__type(graph: SHOP) @join__type(graph: LABELS)
{
  area: Int!
  side: Int!
}
type Circle implements Shape
  @join__implements(graph: SHOP, interface: "Shape") @join__implements(graph: LABELS, interface: "Shape")
  @join__type(graph: SHOP) @join__type(graph: LABELS)
{
  area: Int!
  radius: Int!
}
type Item @join__type(graph: SHOP, key: "id") @join__type(graph: LABELS, key: "id") {
  id: ID!
  price(currency: String! = "EUR"): Int! @join__field(graph: SHOP) @join__field(graph: LABELS, external: true)
  shape: Shape! @join__field(graph: SHOP) @join__field(graph: LABELS, external: true)
  label: String! @join__field(graph: LABELS, requires: "price(currency: \\"USD\\") shape { ... on Square { side } }")
}
"""

SHAPES = """
interface Shape { area: Int! }
type Square implements Shape @shareable { area: Int! side: Int! }
type Circle implements Shape @shareable { area: Int! radius: Int! }
"""


def _price(item: dict[str, Any], _info: Any, currency: str = "EUR") -> int:
    return int(item["eur"] * (2 if currency == "USD" else 1))


def _subgraphs() -> dict[str, TestSubgraph]:
    shop = TestSubgraph(
        SHAPES
        + """
        type Query { items: [Item!]! }
        type Item @key(fields: "id") { id: ID! price(currency: String! = "EUR"): Int! shape: Shape! }
        """,
        resolvers={
            "Query.items": lambda _r, _i: [
                {"id": "1", "eur": 10, "shape": {"__typename": "Square", "area": 4, "side": 2}},
                {"id": "2", "eur": 7, "shape": {"__typename": "Circle", "area": 3, "radius": 1}},
            ],
            "Item.price": _price,
        },
    )
    labels = TestSubgraph(
        SHAPES
        + """
        type Item @key(fields: "id") {
          id: ID! price(currency: String! = "EUR"): Int! @external shape: Shape! @external
          label: String! @requires(fields: "price(currency: \\"USD\\") shape { ... on Square { side } }")
        }
        """,
        entities={
            "Item": lambda rep: {
                "__typename": "Item",
                "id": rep["id"],
                "label": f"{rep['price']} USD"
                + (f", side {rep['shape']['side']}" if "side" in rep["shape"] else ""),
            }
        },
    )
    return {"shop": shop, "labels": labels}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_requirement_with_arguments_next_to_the_client_selection_of_the_same_field(
    fed: Federation,
) -> None:
    fed.reset()
    body = await fed.query("{ items { id price label } }")
    assert body == {
        "data": {
            "items": [
                {"id": "1", "price": 10, "label": "20 USD, side 2"},
                {"id": "2", "price": 7, "label": "14 USD"},
            ]
        }
    }
    assert fed.subgraphs["labels"].representations == [
        {"__typename": "Item", "id": "1", "price": 20, "shape": {"__typename": "Square", "side": 2}},
        {"__typename": "Item", "id": "2", "price": 14, "shape": {"__typename": "Circle"}},
    ]
