"""@interfaceObject values answered as they come: when a graph that models an interface as an
object (and cannot be reached by key) returns it, and the client asks only for the interface's
own fields, no concrete type is needed; the object is projected against the interface. An
interface that no subgraph implements can only ever be null: a selection no graph serves on it
needs no fetch at all."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: CATALOG) @join__type(graph: STOCK) {
  lamps: [Lamp!]! @join__field(graph: CATALOG)
  featured: Item @join__field(graph: STOCK)
  orphan: Thing @join__field(graph: CATALOG)
}
interface Thing
  @join__type(graph: CATALOG, key: "id")
  @join__type(graph: STOCK, key: "id", resolvable: false, isInterfaceObject: true)
{
  id: ID!
  extra: String @join__field(graph: STOCK)
}
interface Item
  @join__type(graph: CATALOG, key: "id")
  @join__type(graph: STOCK, key: "id", resolvable: false, isInterfaceObject: true)
{
  id: ID!
  label: String @join__field(graph: STOCK)
}
type Lamp implements Item
  @join__implements(graph: CATALOG, interface: "Item")
  @join__type(graph: CATALOG, key: "id")
{
  id: ID!
  label: String @join__field
  watts: Int!
}
"""


def _subgraphs() -> dict[str, TestSubgraph]:
    catalog = TestSubgraph(
        """
        type Query { lamps: [Lamp!]! orphan: Thing }
        interface Item @key(fields: "id") { id: ID! }
        interface Thing @key(fields: "id") { id: ID! }
        type Lamp implements Item @key(fields: "id") { id: ID! watts: Int! }
        """,
        resolvers={
            "Query.lamps": lambda _r, _i: [{"__typename": "Lamp", "id": "l1", "watts": 40}],
            "Query.orphan": lambda _r, _i: {"__typename": "Thing", "id": "t1"},
        },
        entities={
            "Item": lambda rep: {"__typename": "Lamp", "id": rep["id"], "watts": 40},
            "Lamp": lambda rep: {"__typename": "Lamp", "id": rep["id"], "watts": 40},
        },
    )
    stock = TestSubgraph(
        """
        type Query { featured: Item }
        type Item @key(fields: "id", resolvable: false) @interfaceObject { id: ID! label: String }
        type Thing @key(fields: "id", resolvable: false) @interfaceObject { id: ID! extra: String }
        """,
        resolvers={"Query.featured": lambda _r, _i: {"__typename": "Item", "id": "l1", "label": "desk lamp"}},
    )
    return {"catalog": catalog, "stock": stock}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_interface_fields_come_straight_from_the_interface_object_graph(fed: Federation) -> None:
    body = await fed.query("{ featured { id label } }")
    assert body == {"data": {"featured": {"id": "l1", "label": "desk lamp"}}}


async def test_fragment_on_the_interface_itself_needs_no_concrete_type(fed: Federation) -> None:
    body = await fed.query("{ featured { ... on Item { id } label } }")
    assert body == {"data": {"featured": {"id": "l1", "label": "desk lamp"}}}


async def test_concrete_type_is_still_asked_of_the_real_interface(fed: Federation) -> None:
    body = await fed.query("{ featured { __typename id label ... on Lamp { watts } } }")
    assert body == {"data": {"featured": {"__typename": "Lamp", "id": "l1", "label": "desk lamp", "watts": 40}}}


async def test_unimplemented_interface_with_unserved_fields_is_null_without_a_fetch(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ orphan { extra } }")
    assert body == {"data": {"orphan": None}}
    assert fed.subgraphs["catalog"].received == []
    assert fed.subgraphs["stock"].received == []
