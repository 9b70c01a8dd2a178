"""Fields a subgraph declares with a different but compatible type than the supergraph (nullable
vs non-null, String vs ID, Int serialized as float): results are shaped to the supergraph type."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: USERS) @join__type(graph: STATS) {
  users: [User!]! @join__field(graph: USERS)
}
type User @join__type(graph: USERS, key: "id") @join__type(graph: STATS, key: "id") {
  id: ID!
  name: String! @join__field(graph: USERS, type: "String")
  score: Int @join__field(graph: STATS, type: "Float")
  rank: Int! @join__field(graph: STATS, type: "Int")
}
"""


def _subgraphs() -> dict[str, TestSubgraph]:
    users = TestSubgraph(
        """
        type Query { users: [User!]! }
        type User @key(fields: "id") { id: String! name: String }
        """,
        resolvers={
            "Query.users": lambda _r, _i: [
                {"id": "1", "name": "Ada"},
                {"id": "2", "name": None},
                {"id": "3", "name": "Lin"},
            ]
        },
    )
    stats = TestSubgraph(
        'type User @key(fields: "id") { id: ID! score: Float rank: Int }',
        entities={
            "User": lambda rep: {
                "__typename": "User",
                "id": rep["id"],
                "score": {"1": 7.0, "2": 3.5, "3": None}[rep["id"]],
                "rank": {"1": 1, "2": 2, "3": None}[rep["id"]],
            }
        },
    )
    return {"users": users, "stats": stats}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_values_are_coerced_to_the_supergraph_types(fed: Federation) -> None:
    body = await fed.query("{ users { id score } }")
    assert body["data"] == {
        "users": [{"id": "1", "score": 7}, {"id": "2", "score": None}, {"id": "3", "score": None}]
    }
    # 3.5 is not an Int: nulled with an error at its path.
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["users", 1, "score"], "INVALID_SUBGRAPH_VALUE")
    ]


async def test_null_where_the_supergraph_says_non_null_propagates_with_one_error(fed: Federation) -> None:
    body = await fed.query("{ users { id name } }")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Cannot return null for non-nullable field User.name.",
                "path": ["users", 1, "name"],
                "extensions": {"code": "INVALID_SUBGRAPH_VALUE"},
            }
        ],
    }
