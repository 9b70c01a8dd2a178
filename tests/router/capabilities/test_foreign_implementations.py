"""A graph that knows an interface but none of its implementations (a Federation 1 `node`
resolver): the objects it returns are of types other graphs own. Fields on those types are
fetched from their owners through a key made of the interface's own fields."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: LOOKUP) @join__type(graph: PEOPLE) @join__type(graph: BOOKS) {
  lookup(id: ID!): Entity @join__field(graph: LOOKUP)
}
interface Entity @join__type(graph: LOOKUP) @join__type(graph: PEOPLE) @join__type(graph: BOOKS) {
  id: ID!
}
type Person implements Entity
  @join__implements(graph: PEOPLE, interface: "Entity")
  @join__type(graph: PEOPLE, key: "id")
{
  id: ID!
  fullName: String!
}
type Book implements Entity
  @join__implements(graph: BOOKS, interface: "Entity")
  @join__type(graph: BOOKS, key: "id")
{
  id: ID!
  title: String!
}
"""

RECORDS: dict[str, dict[str, Any]] = {
    "p1": {"__typename": "Person", "id": "p1", "fullName": "Ada Lovelace"},
    "b1": {"__typename": "Book", "id": "b1", "title": "Notes"},
}


def _owned(type_name: str) -> Any:
    def resolve(rep: dict[str, Any]) -> dict[str, Any] | None:
        record = RECORDS.get(rep["id"])
        return record if record is not None and record["__typename"] == type_name else None

    return resolve


def _subgraphs() -> dict[str, TestSubgraph]:
    # The lookup graph really returns the concrete types; the supergraph only records the
    # interface for it, as composition does for a Federation 1 subgraph declaring no types.
    # (Marker: the test harness only serves `_entities` for a graph with some entity.)
    lookup = TestSubgraph(
        """
        type Query { lookup(id: ID!): Entity }
        interface Entity { id: ID! }
        type Person implements Entity { id: ID! }
        type Book implements Entity { id: ID! }
        type Marker @key(fields: "id") { id: ID! }
        """,
        resolvers={
            "Query.lookup": lambda _r, _i, id: {
                "__typename": RECORDS[id]["__typename"], "id": id
            } if id in RECORDS else None
        },
    )
    people = TestSubgraph(
        """
        interface Entity { id: ID! }
        type Person implements Entity @key(fields: "id") { id: ID! fullName: String! }
        """,
        entities={"Person": _owned("Person")},
    )
    books = TestSubgraph(
        """
        interface Entity { id: ID! }
        type Book implements Entity @key(fields: "id") { id: ID! title: String! }
        """,
        entities={"Book": _owned("Book")},
    )
    return {"lookup": lookup, "people": people, "books": books}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_fields_of_the_returned_type_come_from_its_owner(fed: Federation) -> None:
    fed.reset()
    body = await fed.query('{ lookup(id: "p1") { __typename id ... on Person { fullName } } }')
    assert body == {"data": {"lookup": {"__typename": "Person", "id": "p1", "fullName": "Ada Lovelace"}}}
    assert fed.subgraphs["people"].received[0].representations == [{"__typename": "Person", "id": "p1"}]
    assert fed.subgraphs["books"].received == []


async def test_each_type_condition_goes_to_its_own_owner(fed: Federation) -> None:
    query = "query($id: ID!) { lookup(id: $id) { id ... on Person { fullName } ... on Book { id title } } }"
    assert await fed.query(query, {"id": "b1"}) == {"data": {"lookup": {"id": "b1", "title": "Notes"}}}
    assert await fed.query(query, {"id": "p1"}) == {"data": {"lookup": {"id": "p1", "fullName": "Ada Lovelace"}}}
