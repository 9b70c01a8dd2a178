"""Relay-style `node(id:)`: one subgraph resolves the interface, the fields of each implementation
live in another; type conditions pick the right entity jump per runtime type."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: NODES) @join__type(graph: TYPES) {
  node(id: ID!): Node @join__field(graph: NODES)
}
interface Node @join__type(graph: NODES) @join__type(graph: TYPES) {
  id: ID!
}
type Account implements Node
  @join__implements(graph: NODES, interface: "Node") @join__implements(graph: TYPES, interface: "Node")
  @join__type(graph: NODES, key: "id") @join__type(graph: TYPES, key: "id")
{
  id: ID!
  username: String! @join__field(graph: TYPES)
}
type Chat implements Node
  @join__implements(graph: NODES, interface: "Node") @join__implements(graph: TYPES, interface: "Node")
  @join__type(graph: NODES, key: "id") @join__type(graph: TYPES, key: "id")
{
  id: ID!
  text: String! @join__field(graph: TYPES)
}
"""


def _node(_root: Any, _info: Any, id: str) -> dict[str, Any] | None:
    typename = id.split(":", 1)[0]
    return {"__typename": typename, "id": id} if typename in ("Account", "Chat") else None


def _subgraphs() -> dict[str, TestSubgraph]:
    nodes = TestSubgraph(
        """
        type Query { node(id: ID!): Node }
        interface Node { id: ID! }
        type Account implements Node @key(fields: "id") { id: ID! }
        type Chat implements Node @key(fields: "id") { id: ID! }
        """,
        resolvers={"Query.node": _node},
    )
    types = TestSubgraph(
        """
        interface Node { id: ID! }
        type Account implements Node @key(fields: "id") { id: ID! username: String! }
        type Chat implements Node @key(fields: "id") { id: ID! text: String! }
        """,
        entities={
            "Account": lambda rep: {"__typename": "Account", "id": rep["id"], "username": "ada"},
            "Chat": lambda rep: {"__typename": "Chat", "id": rep["id"], "text": "hello"},
        },
    )
    return {"nodes": nodes, "types": types}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_node_resolves_each_implementation_through_its_entity(fed: Federation) -> None:
    fed.reset()
    body = await fed.query(
        """{
          a: node(id: "Account:1") { id ... on Account { username } ... on Chat { text } }
          c: node(id: "Chat:9") { __typename ... on Account { username } ... on Chat { text } }
          n: node(id: "Nope:1") { id }
        }"""
    )
    assert body == {
        "data": {
            "a": {"id": "Account:1", "username": "ada"},
            "c": {"__typename": "Chat", "text": "hello"},
            "n": None,
        }
    }
    reps = sorted(fed.subgraphs["types"].representations, key=lambda rep: rep["id"])
    assert reps == [{"__typename": "Account", "id": "Account:1"}, {"__typename": "Chat", "id": "Chat:9"}]
