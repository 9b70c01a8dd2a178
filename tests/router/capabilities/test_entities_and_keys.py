"""Entity jumps through `_entities`: a key chosen among several, compound keys, references
through a non-resolvable key, one batched and deduplicated request per fetch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

BOOKS: list[dict[str, Any]] = [
    {"id": "b1", "isbn": "i1", "title": "Dune", "year": 1965, "shop": "s1"},
    {"id": "b2", "isbn": "i2", "title": "Emma", "year": 1815, "shop": "s1"},
    {"id": "b3", "isbn": "i3", "title": "Ulysses", "year": 1922, "shop": None},
]

SUPERGRAPH = """
type Query @join__type(graph: CATALOG) @join__type(graph: PRICING) @join__type(graph: SHOPS) {
  books: [Book!]! @join__field(graph: CATALOG)
}
type Book @join__type(graph: CATALOG, key: "id") @join__type(graph: PRICING, key: "isbn") {
  id: ID! @join__field(graph: CATALOG)
  isbn: String!
  title: String! @join__field(graph: CATALOG)
  edition: Edition! @join__field(graph: CATALOG)
  shop: Shop @join__field(graph: CATALOG)
  price: Int! @join__field(graph: PRICING)
}
type Edition @join__type(graph: CATALOG, key: "isbn year") @join__type(graph: PRICING, key: "isbn year") {
  isbn: String!
  year: Int!
  copies: Int! @join__field(graph: PRICING)
}
type Shop @join__type(graph: CATALOG, key: "id", resolvable: false) @join__type(graph: SHOPS, key: "id") {
  id: ID!
  name: String! @join__field(graph: SHOPS)
}
"""


def _subgraphs() -> dict[str, TestSubgraph]:
    catalog = TestSubgraph(
        """
        type Query { books: [Book!]! }
        type Book @key(fields: "id") { id: ID! isbn: String! title: String! edition: Edition! shop: Shop }
        type Edition @key(fields: "isbn year") { isbn: String! year: Int! }
        type Shop @key(fields: "id", resolvable: false) { id: ID! }
        """,
        resolvers={
            "Query.books": lambda _r, _i: [
                {
                    "__typename": "Book",
                    **book,
                    "edition": {"__typename": "Edition", "isbn": book["isbn"], "year": book["year"]},
                    "shop": {"__typename": "Shop", "id": book["shop"]} if book["shop"] else None,
                }
                for book in BOOKS
            ]
        },
    )
    pricing = TestSubgraph(
        """
        type Book @key(fields: "isbn") { isbn: String! price: Int! }
        type Edition @key(fields: "isbn year") { isbn: String! year: Int! copies: Int! }
        """,
        entities={
            "Book": lambda rep: {
                "__typename": "Book",
                "isbn": rep["isbn"],
                "price": int(rep["isbn"][1:]) * 10,
            },
            "Edition": lambda rep: {**rep, "copies": rep["year"] // 100},
        },
    )
    shops = TestSubgraph(
        'type Shop @key(fields: "id") { id: ID! name: String! }',
        entities={"Shop": lambda rep: {"__typename": "Shop", "id": rep["id"], "name": f"Shop {rep['id']}"}},
    )
    return {"catalog": catalog, "pricing": pricing, "shops": shops}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_fields_from_three_subgraphs_through_different_keys(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ books { title price edition { year copies } shop { name } } }")
    assert body == {
        "data": {
            "books": [
                {
                    "title": "Dune",
                    "price": 10,
                    "edition": {"year": 1965, "copies": 19},
                    "shop": {"name": "Shop s1"},
                },
                {
                    "title": "Emma",
                    "price": 20,
                    "edition": {"year": 1815, "copies": 18},
                    "shop": {"name": "Shop s1"},
                },
                {"title": "Ulysses", "price": 30, "edition": {"year": 1922, "copies": 19}, "shop": None},
            ]
        }
    }
    # The shared shop is asked for once; the null reference is never sent.
    assert fed.subgraphs["shops"].representations == [{"__typename": "Shop", "id": "s1"}]
    pricing_reps = fed.subgraphs["pricing"].representations
    assert {"__typename": "Book", "isbn": "i2"} in pricing_reps
    assert {"__typename": "Edition", "isbn": "i3", "year": 1922} in pricing_reps
    assert len(pricing_reps) == 6


async def test_keys_needed_only_by_the_router_never_leak(fed: Federation) -> None:
    body = await fed.query("{ books { price } }")
    assert body == {"data": {"books": [{"price": 10}, {"price": 20}, {"price": 30}]}}
