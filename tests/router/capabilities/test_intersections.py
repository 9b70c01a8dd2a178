"""Enum, input and union definitions that differ between subgraphs: the API schema holds what
every subgraph can take (inputs) and values are shaped to the supergraph (enums, unions)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: A) @join__type(graph: B) {
  users(filter: UserFilter): [User!]! @join__field(graph: A)
  usersInB: [User!]! @join__field(graph: B)
  things: [Thing!]! @join__field(graph: B)
}
enum Role @join__type(graph: A) @join__type(graph: B) {
  ADMIN @join__enumValue(graph: A) @join__enumValue(graph: B)
  MEMBER @join__enumValue(graph: A) @join__enumValue(graph: B)
  GUEST @inaccessible @join__enumValue(graph: A)
}
input UserFilter @join__type(graph: A) {
  role: Role
}
type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  role: Role
}
type Robot @join__type(graph: B) {
  serial: String!
}
type Secret @join__type(graph: B) @inaccessible {
  code: String!
}
union Thing @join__type(graph: B) @join__unionMember(graph: B, member: "User") @join__unionMember(graph: B, member: "Robot")
  @join__unionMember(graph: B, member: "Secret") = User | Robot | Secret
"""

USERS: list[dict[str, Any]] = [
    {"__typename": "User", "id": "u1", "role": "ADMIN"},
    {"__typename": "User", "id": "u2", "role": "GUEST"},
]


def _subgraphs() -> dict[str, TestSubgraph]:
    a = TestSubgraph(
        """
        enum Role { ADMIN MEMBER GUEST }
        input UserFilter { role: Role }
        type Query { users(filter: UserFilter): [User!]! }
        type User @key(fields: "id") { id: ID! role: Role @shareable }
        """,
        resolvers={
            "Query.users": lambda _r, _i, filter=None: [
                u for u in USERS if not filter or not filter.get("role") or u["role"] == filter["role"]
            ]
        },
    )
    b = TestSubgraph(
        """
        enum Role { ADMIN MEMBER }
        type Query { usersInB: [User!]! things: [Thing!]! }
        type User @key(fields: "id") { id: ID! role: Role @shareable }
        type Robot { serial: String! }
        type Secret { code: String! }
        union Thing = User | Robot | Secret
        """,
        resolvers={
            "Query.usersInB": lambda _r, _i: [{"id": "u1", "role": "ADMIN"}, {"id": "u2", "role": None}],
            "Query.things": lambda _r, _i: [
                {"__typename": "Robot", "serial": "R2"},
                {"__typename": "Secret", "code": "42"},
                {"__typename": "User", "id": "u1", "role": "ADMIN"},
            ],
        },
    )
    return {"a": a, "b": b}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_enum_value_hidden_from_the_api_reads_as_null_without_an_error(fed: Federation) -> None:
    # Subgraph A knows GUEST and returns it; the API schema hides it, so the client sees null.
    assert await fed.query("{ users { id role } }") == {
        "data": {"users": [{"id": "u1", "role": "ADMIN"}, {"id": "u2", "role": None}]}
    }
    assert await fed.query("{ usersInB { id role } }") == {
        "data": {"usersInB": [{"id": "u1", "role": "ADMIN"}, {"id": "u2", "role": None}]}
    }


async def test_hidden_enum_value_is_rejected_as_input(fed: Federation) -> None:
    response = await fed.request("{ users(filter: { role: GUEST }) { id } }")
    assert response.is_request_error is True
    assert response.body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert await fed.query(
        "query($f: UserFilter) { users(filter: $f) { id } }", {"f": {"role": "ADMIN"}}
    ) == {"data": {"users": [{"id": "u1"}]}}


async def test_union_member_hidden_from_the_api_resolves_to_null(fed: Federation) -> None:
    body = await fed.query("{ things { __typename ... on Robot { serial } ... on User { id } } }")
    # [Thing!]!: the hidden member cannot be shown, its non-null position nulls the whole list
    # and then `data` (things is non-null too).
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Cannot return null for non-nullable field Query.things.",
                "path": ["things", 1],
                "extensions": {"code": "INVALID_SUBGRAPH_VALUE"},
            }
        ],
    }
