"""@interfaceObject combined with @requires: the interface-object subgraph needs a field of the
concrete implementations, sent in representations typed with the interface's name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: ZOO) @join__type(graph: VOICES) {
  animals: [Animal!]! @join__field(graph: ZOO)
}
interface Animal
  @join__type(graph: ZOO, key: "id")
  @join__type(graph: VOICES, key: "id", isInterfaceObject: true)
{
  id: ID!
  name: String! @join__field(graph: ZOO) @join__field(graph: VOICES, external: true)
  greeting: String! @join__field(graph: VOICES, requires: "name")
}
type Dog implements Animal @join__implements(graph: ZOO, interface: "Animal") @join__type(graph: ZOO, key: "id") {
  id: ID!
  name: String!
  greeting: String! @join__field
  barks: Boolean!
}
type Cat implements Animal @join__implements(graph: ZOO, interface: "Animal") @join__type(graph: ZOO, key: "id") {
  id: ID!
  name: String!
  greeting: String! @join__field
  lives: Int!
}
"""

ANIMALS: list[dict[str, Any]] = [
    {"__typename": "Dog", "id": "d1", "name": "Rex", "barks": True},
    {"__typename": "Cat", "id": "c1", "name": "Tom", "lives": 9},
]


def _subgraphs() -> dict[str, TestSubgraph]:
    zoo = TestSubgraph(
        """
        type Query { animals: [Animal!]! }
        interface Animal @key(fields: "id") { id: ID! name: String! }
        type Dog implements Animal @key(fields: "id") { id: ID! name: String! barks: Boolean! }
        type Cat implements Animal @key(fields: "id") { id: ID! name: String! lives: Int! }
        """,
        resolvers={"Query.animals": lambda _r, _i: ANIMALS},
        entities={
            t: (lambda rep: next(a for a in ANIMALS if a["id"] == rep["id"]))
            for t in ("Animal", "Dog", "Cat")
        },
    )
    voices = TestSubgraph(
        """
        type Animal @key(fields: "id") @interfaceObject {
          id: ID! name: String! @external greeting: String! @requires(fields: "name")
        }
        """,
        entities={
            "Animal": lambda rep: {
                "__typename": "Animal",
                "id": rep["id"],
                "greeting": f"Hello, {rep['name']}!",
            }
        },
    )
    return {"zoo": zoo, "voices": voices}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_required_field_reaches_the_interface_object(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ animals { __typename greeting ... on Dog { barks } ... on Cat { lives } } }")
    assert body == {
        "data": {
            "animals": [
                {"__typename": "Dog", "greeting": "Hello, Rex!", "barks": True},
                {"__typename": "Cat", "greeting": "Hello, Tom!", "lives": 9},
            ]
        }
    }
    assert fed.subgraphs["voices"].representations == [
        {"__typename": "Animal", "id": "d1", "name": "Rex"},
        {"__typename": "Animal", "id": "c1", "name": "Tom"},
    ]
