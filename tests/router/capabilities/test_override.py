"""@override: a field that moved between subgraphs is read from its new owner only, also when
the old owner is a subgraph that no longer exists."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: CATALOG) @join__type(graph: PRICING) {
  products: [Product!]! @join__field(graph: CATALOG)
}
type Product @join__type(graph: CATALOG, key: "id") @join__type(graph: PRICING, key: "id") {
  id: ID!
  name: String! @join__field(graph: CATALOG)
  price: Int! @join__field(graph: CATALOG, usedOverridden: true) @join__field(graph: PRICING, override: "catalog")
  currency: String! @join__field(graph: PRICING, override: "legacy")
}
"""


def _subgraphs() -> dict[str, TestSubgraph]:
    catalog = TestSubgraph(
        """
        type Query { products: [Product!]! }
        type Product @key(fields: "id") { id: ID! name: String! price: Int! }
        """,
        # The stale copy of `price` the router must not use any more.
        resolvers={"Query.products": lambda _r, _i: [{"id": "1", "name": "Lamp", "price": -1}]},
    )
    pricing = TestSubgraph(
        """
        type Product @key(fields: "id") { id: ID! price: Int! @override(from: "catalog") currency: String! }
        """,
        entities={
            "Product": lambda rep: {"__typename": "Product", "id": rep["id"], "price": 42, "currency": "EUR"}
        },
    )
    return {"catalog": catalog, "pricing": pricing}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_overridden_field_comes_from_the_new_owner(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ products { name price currency } }")
    assert body == {"data": {"products": [{"name": "Lamp", "price": 42, "currency": "EUR"}]}}
    assert "price" not in fed.subgraphs["catalog"].received[0].query
    assert fed.subgraphs["pricing"].representations == [{"__typename": "Product", "id": "1"}]
