"""@interfaceObject: a subgraph that models an interface as an object type adds fields to every
implementation; representations sent to it carry the interface name, and the concrete type is
learnt from the subgraph that knows the interface."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: ACCOUNTS) @join__type(graph: BILLING) {
  accounts: [Account!]! @join__field(graph: ACCOUNTS)
  richest: Account @join__field(graph: BILLING)
}
interface Account
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: BILLING, key: "id", isInterfaceObject: true)
{
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  credits: Int! @join__field(graph: BILLING)
}
type Admin implements Account
  @join__implements(graph: ACCOUNTS, interface: "Account")
  @join__type(graph: ACCOUNTS, key: "id")
{
  id: ID!
  name: String!
  credits: Int! @join__field
  isMain: Boolean!
}
type Member implements Account
  @join__implements(graph: ACCOUNTS, interface: "Account")
  @join__type(graph: ACCOUNTS, key: "id")
{
  id: ID!
  name: String!
  credits: Int! @join__field
  level: Int!
}
"""

ACCOUNTS: dict[str, dict[str, Any]] = {
    "a1": {"__typename": "Admin", "id": "a1", "name": "Root", "isMain": True},
    "m1": {"__typename": "Member", "id": "m1", "name": "Bob", "level": 3},
}
CREDITS = {"a1": 10, "m1": 250}


def _subgraphs() -> dict[str, TestSubgraph]:
    accounts = TestSubgraph(
        """
        type Query { accounts: [Account!]! }
        interface Account @key(fields: "id") { id: ID! name: String! }
        type Admin implements Account @key(fields: "id") { id: ID! name: String! isMain: Boolean! }
        type Member implements Account @key(fields: "id") { id: ID! name: String! level: Int! }
        """,
        resolvers={"Query.accounts": lambda _r, _i: list(ACCOUNTS.values())},
        entities={
            "Account": lambda rep: ACCOUNTS.get(rep["id"]),
            "Admin": lambda rep: ACCOUNTS.get(rep["id"]),
            "Member": lambda rep: ACCOUNTS.get(rep["id"]),
        },
    )
    billing = TestSubgraph(
        """
        type Query { richest: Account }
        type Account @key(fields: "id") @interfaceObject { id: ID! credits: Int! }
        """,
        resolvers={"Query.richest": lambda _r, _i: {"__typename": "Account", "id": "m1", "credits": 250}},
        entities={
            "Account": lambda rep: {"__typename": "Account", "id": rep["id"], "credits": CREDITS[rep["id"]]}
        },
    )
    return {"accounts": accounts, "billing": billing}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_interface_object_fields_on_every_implementation(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ accounts { __typename name credits ... on Admin { isMain } } }")
    assert body == {
        "data": {
            "accounts": [
                {"__typename": "Admin", "name": "Root", "credits": 10, "isMain": True},
                {"__typename": "Member", "name": "Bob", "credits": 250},
            ]
        }
    }
    assert fed.subgraphs["billing"].representations == [
        {"__typename": "Account", "id": "a1"},
        {"__typename": "Account", "id": "m1"},
    ]


async def test_concrete_type_of_an_interface_object_is_learnt_from_the_interface_owner(
    fed: Federation,
) -> None:
    body = await fed.query("{ richest { __typename id credits ... on Member { level } } }")
    assert body == {"data": {"richest": {"__typename": "Member", "id": "m1", "credits": 250, "level": 3}}}
