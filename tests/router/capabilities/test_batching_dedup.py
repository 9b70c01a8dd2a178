"""Each _entities fetch sends every representation at its path in one request, deduplicated, and
merges each entity back into every object it came from."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.capabilities.shop import SHOP_SUPERGRAPH_BODY, make_subgraphs
from tests.router.support.federation import Federation, federation


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(make_subgraphs(), SHOP_SUPERGRAPH_BODY) as running:
        yield running


async def test_one_request_per_fetch_with_unique_representations(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ topProducts { reviews { author { name reviews { body } } } } }")
    ada = {"name": "Ada", "reviews": [{"body": "Love it"}, {"body": "Comfy"}]}
    grace = {"name": "Grace", "reviews": [{"body": "Too big"}]}
    assert body == {
        "data": {
            "topProducts": [
                {"reviews": [{"author": ada}, {"author": grace}]},
                {"reviews": [{"author": ada}, {"author": None}]},
                {"reviews": []},
            ]
        }
    }
    accounts = fed.subgraphs["accounts"]
    reviews = fed.subgraphs["reviews"]
    assert len(accounts.received) == 1
    assert accounts.representations == [{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}]
    # The reviews subgraph serves the authors' reviews in the same fetch as the products'.
    assert [len(r.representations) for r in reviews.received] == [3]


async def test_identical_concurrent_requests_share_subgraph_calls(fed: Federation) -> None:
    import asyncio

    fed.reset()
    query = "{ users { name } }"
    first, second = await asyncio.gather(fed.query(query), fed.query(query))
    assert first == second == {"data": {"users": [{"name": "Ada"}, {"name": "Grace"}]}}
    assert len(fed.subgraphs["accounts"].received) == 1
