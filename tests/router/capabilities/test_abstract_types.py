"""Interfaces and unions whose members live in different subgraphs; type conditions on fields
only some implementations have; __typename on abstract positions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: LIBRARY) @join__type(graph: FILMS) {
  media: [Media!]! @join__field(graph: LIBRARY)
  feed: [FeedItem!]! @join__field(graph: LIBRARY)
}
interface Media @join__type(graph: LIBRARY) @join__type(graph: FILMS) {
  id: ID!
  title: String!
}
type Book implements Media
  @join__implements(graph: LIBRARY, interface: "Media")
  @join__type(graph: LIBRARY, key: "id")
{
  id: ID!
  title: String!
  pages: Int!
}
type Movie implements Media
  @join__implements(graph: LIBRARY, interface: "Media")
  @join__implements(graph: FILMS, interface: "Media")
  @join__type(graph: LIBRARY, key: "id")
  @join__type(graph: FILMS, key: "id")
{
  id: ID!
  title: String! @join__field(graph: LIBRARY) @join__field(graph: FILMS)
  minutes: Int! @join__field(graph: FILMS)
}
type Notice @join__type(graph: LIBRARY) {
  text: String!
}
union FeedItem
  @join__type(graph: LIBRARY)
  @join__unionMember(graph: LIBRARY, member: "Book")
  @join__unionMember(graph: LIBRARY, member: "Movie")
  @join__unionMember(graph: LIBRARY, member: "Notice")
  = Book | Movie | Notice
"""

ITEMS = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412},
    {"__typename": "Movie", "id": "m1", "title": "Alien"},
]


def _subgraphs() -> dict[str, TestSubgraph]:
    library = TestSubgraph(
        """
        type Query { media: [Media!]! feed: [FeedItem!]! }
        interface Media { id: ID! title: String! }
        type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int! }
        type Movie implements Media @key(fields: "id") { id: ID! title: String! }
        type Notice { text: String! }
        union FeedItem = Book | Movie | Notice
        """,
        resolvers={
            "Query.media": lambda _r, _i: ITEMS,
            "Query.feed": lambda _r, _i: [*ITEMS, {"__typename": "Notice", "text": "Closed on Sunday"}],
        },
    )
    films = TestSubgraph(
        """
        interface Media { id: ID! title: String! }
        type Movie implements Media @key(fields: "id") { id: ID! title: String! @shareable minutes: Int! }
        """,
        entities={
            "Movie": lambda rep: {"__typename": "Movie", "id": rep["id"], "title": "Alien", "minutes": 117}
        },
    )
    return {"library": library, "films": films}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_interface_field_with_type_conditions_served_by_different_subgraphs(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ media { __typename title ... on Book { pages } ... on Movie { minutes } } }")
    assert body == {
        "data": {
            "media": [
                {"__typename": "Book", "title": "Dune", "pages": 412},
                {"__typename": "Movie", "title": "Alien", "minutes": 117},
            ]
        }
    }
    # Only the movie is sent to the films subgraph.
    assert fed.subgraphs["films"].representations == [{"__typename": "Movie", "id": "m1"}]


async def test_union_members_and_fragments_on_interfaces_inside_a_union(fed: Federation) -> None:
    body = await fed.query(
        """
        { feed {
            ... on Media { id }
            ... on Notice { text }
            ... on Movie { minutes }
        } }
        """
    )
    assert body == {
        "data": {"feed": [{"id": "b1"}, {"id": "m1", "minutes": 117}, {"text": "Closed on Sunday"}]}
    }


async def test_typename_only_selection_on_an_interface(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ media { __typename } }")
    assert body == {"data": {"media": [{"__typename": "Book"}, {"__typename": "Movie"}]}}
    assert fed.subgraphs["films"].received == []
