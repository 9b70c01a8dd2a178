"""Aliases (including aliases that collide with key fields the router needs), named and inline
fragments, and __typename everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.capabilities.shop import SHOP_SUPERGRAPH_BODY, make_subgraphs
from tests.router.support.federation import Federation, federation


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(make_subgraphs(), SHOP_SUPERGRAPH_BODY) as running:
        yield running


async def test_aliases_fragments_and_typename(fed: Federation) -> None:
    body = await fed.query(
        """
        query {
          kind: __typename
          best: topProducts(first: 1) { ...Card t: __typename }
          cheap: product(upc: "p3") { ... on Product { label: name stock: inStock } }
        }
        fragment Card on Product { label: name reviews { text: body by: author { who: name __typename } } }
        """
    )
    assert body == {
        "data": {
            "kind": "Query",
            "best": [
                {
                    "label": "Table",
                    "reviews": [
                        {"text": "Love it", "by": {"who": "Ada", "__typename": "User"}},
                        {"text": "Too big", "by": {"who": "Grace", "__typename": "User"}},
                    ],
                    "t": "Product",
                }
            ],
            "cheap": {"label": "Chair", "stock": False},
        }
    }


async def test_client_alias_that_reuses_a_key_field_name(fed: Federation) -> None:
    # `upc` is the key the router needs for the jump to reviews; the client uses it as an alias.
    body = await fed.query('{ product(upc: "p1") { upc: name reviews { id } } }')
    assert body == {"data": {"product": {"upc": "Table", "reviews": [{"id": "r1"}, {"id": "r2"}]}}}


async def test_same_field_with_different_arguments_under_aliases(fed: Federation) -> None:
    body = await fed.query(
        "{ one: topProducts(first: 1) { upc } two: topProducts(first: 2) { upc shippingEstimate } }"
    )
    assert body == {
        "data": {
            "one": [{"upc": "p1"}],
            "two": [{"upc": "p1", "shippingEstimate": 0}, {"upc": "p2", "shippingEstimate": None}],
        },
        "errors": [{"message": "inventory unavailable for p2", "path": ["two", 1]}],
    }
