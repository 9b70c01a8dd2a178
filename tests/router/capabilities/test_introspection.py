"""Introspection is answered by the router from the API schema: no subgraph call, no join__ or
link__ types, no @inaccessible elements; introspection can sit next to planned fields."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.capabilities.shop import SHOP_SUPERGRAPH_BODY, make_subgraphs
from tests.router.support.federation import Federation, federation


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(make_subgraphs(), SHOP_SUPERGRAPH_BODY) as running:
        yield running


async def test_schema_introspection_shows_the_api_schema(fed: Federation) -> None:
    fed.reset()
    body = await fed.query(
        """
        query Intro($type: String!) {
          __schema { queryType { name } mutationType { name } subscriptionType { name } types { name } }
          category: __type(name: $type) { kind enumValues { name } }
          union: __type(name: "SearchResult") { possibleTypes { name } }
        }
        """,
        {"type": "Category"},
    )
    data = body["data"]
    assert data["__schema"]["queryType"] == {"name": "Query"}
    assert data["__schema"]["mutationType"] == {"name": "Mutation"}
    assert data["__schema"]["subscriptionType"] is None
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Query", "Mutation", "User", "Product", "Review", "Category", "SearchResult"} <= names
    assert {n for n in names if n.startswith(("join__", "link__"))} == set()
    assert data["category"] == {"kind": "ENUM", "enumValues": [{"name": "BOOKS"}, {"name": "GAMES"}]}
    assert data["union"] == {"possibleTypes": [{"name": "User"}, {"name": "Product"}]}
    assert all(not subgraph.received for subgraph in fed.subgraphs.values())


async def test_introspection_next_to_planned_fields(fed: Federation) -> None:
    body = await fed.query('{ __typename me { __typename name } t: __type(name: "Review") { name } }')
    assert body == {
        "data": {"__typename": "Query", "me": {"__typename": "User", "name": "Ada"}, "t": {"name": "Review"}}
    }
