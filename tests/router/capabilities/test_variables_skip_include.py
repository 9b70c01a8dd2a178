"""Variables (with defaults, forwarded only to the fetches that use them) and @skip/@include on
fields, fragments and whole entity branches."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.capabilities.shop import SHOP_SUPERGRAPH_BODY, make_subgraphs
from tests.router.support.federation import Federation, federation


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(make_subgraphs(), SHOP_SUPERGRAPH_BODY) as running:
        yield running


QUERY = """
query Shop($first: Int = 2, $withReviews: Boolean!, $skipName: Boolean = false) {
  topProducts(first: $first) {
    upc
    name @skip(if: $skipName)
    ... @include(if: $withReviews) { reviews { body } }
  }
}
"""


async def test_default_variable_and_branch_excluded(fed: Federation) -> None:
    fed.reset()
    body = await fed.query(QUERY, {"withReviews": False})
    assert body == {"data": {"topProducts": [{"upc": "p1", "name": "Table"}, {"upc": "p2", "name": "Couch"}]}}
    [products_request] = fed.subgraphs["products"].received
    assert products_request.variables.get("first", 2) == 2


async def test_branch_included_and_field_skipped(fed: Federation) -> None:
    fed.reset()
    body = await fed.query(QUERY, {"first": 1, "withReviews": True, "skipName": True})
    assert body == {
        "data": {"topProducts": [{"upc": "p1", "reviews": [{"body": "Love it"}, {"body": "Too big"}]}]}
    }
    assert len(fed.subgraphs["reviews"].received) == 1


async def test_literal_skip_and_include(fed: Federation) -> None:
    body = await fed.query("{ me { name @include(if: false) username @skip(if: false) } }")
    assert body == {"data": {"me": {"username": "ada"}}}


async def test_variable_that_does_not_coerce_is_rejected_before_any_fetch(fed: Federation) -> None:
    fed.reset()
    response = await fed.request(QUERY, {"withReviews": "yes"})
    assert response.is_request_error is True
    assert response.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(not subgraph.received for subgraph in fed.subgraphs.values())
