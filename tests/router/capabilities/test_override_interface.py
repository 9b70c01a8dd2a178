"""@override on a field of one implementation of an interface: selecting the field through the
interface reads it from the new owner for that type only (type explosion)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: PETS) @join__type(graph: NAMES) {
  animals: [Animal!]! @join__field(graph: PETS)
}
interface Animal @join__type(graph: PETS) @join__type(graph: NAMES) {
  id: ID!
  name: String!
}
type Dog implements Animal
  @join__implements(graph: PETS, interface: "Animal") @join__implements(graph: NAMES, interface: "Animal")
  @join__type(graph: PETS, key: "id") @join__type(graph: NAMES, key: "id")
{
  id: ID!
  name: String! @join__field(graph: PETS, usedOverridden: true) @join__field(graph: NAMES, override: "pets")
}
type Cat implements Animal @join__implements(graph: PETS, interface: "Animal") @join__type(graph: PETS, key: "id") {
  id: ID!
  name: String!
}
"""


def _subgraphs() -> dict[str, TestSubgraph]:
    pets = TestSubgraph(
        """
        type Query { animals: [Animal!]! }
        interface Animal { id: ID! name: String! }
        type Dog implements Animal @key(fields: "id") { id: ID! name: String! }
        type Cat implements Animal @key(fields: "id") { id: ID! name: String! }
        """,
        resolvers={
            "Query.animals": lambda _r, _i: [
                {"__typename": "Dog", "id": "d1", "name": "stale dog name"},
                {"__typename": "Cat", "id": "c1", "name": "Tom"},
            ]
        },
    )
    names = TestSubgraph(
        """
        interface Animal { id: ID! name: String! }
        type Dog implements Animal @key(fields: "id") { id: ID! name: String! @override(from: "pets") }
        """,
        entities={"Dog": lambda rep: {"__typename": "Dog", "id": rep["id"], "name": "Rex"}},
    )
    return {"pets": pets, "names": names}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_overridden_field_of_one_implementation_through_the_interface(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ animals { __typename name } }")
    assert body == {
        "data": {"animals": [{"__typename": "Dog", "name": "Rex"}, {"__typename": "Cat", "name": "Tom"}]}
    }
    assert fed.subgraphs["names"].representations == [{"__typename": "Dog", "id": "d1"}]
