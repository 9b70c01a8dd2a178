"""@provides: fields a subgraph can return on a path are taken from it, without an extra hop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: ACCOUNTS) @join__type(graph: REVIEWS) {
  me: User @join__field(graph: ACCOUNTS)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}
type Review @join__type(graph: REVIEWS) {
  id: ID!
  body: String!
  author: User! @join__field(graph: REVIEWS, provides: "username")
}
type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  username: String! @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
}
"""

USERS = {"u1": {"id": "u1", "name": "Ada Lovelace", "username": "ada"}}


def _subgraphs() -> dict[str, TestSubgraph]:
    accounts = TestSubgraph(
        """
        type Query { me: User }
        type User @key(fields: "id") { id: ID! name: String! username: String! }
        """,
        resolvers={"Query.me": lambda _r, _i: {"__typename": "User", **USERS["u1"]}},
        entities={"User": lambda rep: {"__typename": "User", **USERS[rep["id"]]}},
    )
    reviews = TestSubgraph(
        """
        type Query { reviews: [Review!]! }
        type Review { id: ID! body: String! author: User! @provides(fields: "username") }
        type User @key(fields: "id") { id: ID! username: String! @external }
        """,
        resolvers={
            "Query.reviews": lambda _r, _i: [
                {"id": "r1", "body": "Great", "author": {"__typename": "User", "id": "u1", "username": "ada"}}
            ]
        },
    )
    return {"accounts": accounts, "reviews": reviews}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_provided_field_comes_from_the_providing_subgraph(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ reviews { body author { username } } }")
    assert body == {"data": {"reviews": [{"body": "Great", "author": {"username": "ada"}}]}}
    assert fed.subgraphs["accounts"].received == []


async def test_fields_not_provided_still_jump_to_the_owner(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ reviews { author { username name } } }")
    assert body == {"data": {"reviews": [{"author": {"username": "ada", "name": "Ada Lovelace"}}]}}
    assert fed.subgraphs["accounts"].representations == [{"__typename": "User", "id": "u1"}]
