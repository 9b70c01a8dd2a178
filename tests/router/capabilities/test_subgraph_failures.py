"""A failed or unreachable subgraph yields partial data plus errors, never a failed request:
connection refused, HTTP 500, malformed JSON, timeout, and GraphQL errors with client paths."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.capabilities.shop import SHOP_SUPERGRAPH_BODY, make_subgraphs
from tests.router.support.federation import Federation, federation
from tests.support.servers import free_port

GHOST_BODY = """
type Ghost @join__type(graph: GHOST) { boo: String! }
extend type Query @join__type(graph: GHOST) { ghost: Ghost @join__field(graph: GHOST) }
"""


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(
        make_subgraphs(),
        SHOP_SUPERGRAPH_BODY + GHOST_BODY,
        subgraph_timeout=0.5,
        extra_urls={"ghost": f"http://127.0.0.1:{free_port()}/graphql"},
    ) as running:
        yield running


@pytest.fixture
def shop(fed: Federation) -> Federation:
    fed.reset()
    return fed


async def test_connection_refused_only_nulls_that_subgraphs_fields(shop: Federation) -> None:
    body = await shop.query("{ ghost { boo } me { name } }")
    assert body["data"] == {"ghost": None, "me": {"name": "Ada"}}
    [failure] = body["errors"]
    assert failure["path"] == ["ghost"]
    assert failure["extensions"] == {"code": "SUBREQUEST_HTTP_ERROR", "service": "ghost"}


@pytest.mark.parametrize(
    ("mode", "message", "code"),
    [
        ("http_500", "HTTP fetch failed from 'reviews': 500: Internal Server Error", "SUBREQUEST_HTTP_ERROR"),
        (
            "malformed_json",
            "HTTP fetch failed from 'reviews': invalid JSON in response body",
            "SUBREQUEST_MALFORMED_RESPONSE",
        ),
        ("hang", "HTTP fetch failed from 'reviews': request timed out after 0.5s", "GATEWAY_TIMEOUT"),
    ],
)
async def test_failed_entity_fetch_keeps_sibling_data(
    shop: Federation, mode: str, message: str, code: str
) -> None:
    shop.subgraphs["reviews"].failure = mode  # type: ignore[assignment]
    body = await shop.query(
        '{ product(upc: "p1") { name reviews { body } } top: topProducts(first: 1) { inStock } me { name } }'
    )
    # reviews is [Review!]!, so the product whose reviews failed becomes null (it is nullable);
    # fields served by other subgraphs are unaffected.
    assert body == {
        "data": {"product": None, "top": [{"inStock": True}], "me": {"name": "Ada"}},
        "errors": [
            {"message": message, "path": ["product"], "extensions": {"code": code, "service": "reviews"}}
        ],
    }
    assert len(shop.subgraphs["inventory"].received) == 1


async def test_subgraph_errors_keep_message_and_get_the_client_path(shop: Federation) -> None:
    body = await shop.query("{ topProducts { upc shippingEstimate } }")
    assert body == {
        "data": {
            "topProducts": [
                {"upc": "p1", "shippingEstimate": 0},
                {"upc": "p2", "shippingEstimate": None},
                {"upc": "p3", "shippingEstimate": 25},
            ]
        },
        "errors": [{"message": "inventory unavailable for p2", "path": ["topProducts", 1]}],
    }


async def test_root_field_error_from_a_subgraph_keeps_its_path(shop: Federation) -> None:
    body = await shop.query('{ product(upc: "p1") { name } nobody: product(upc: "zz") { name } }')
    assert body == {"data": {"product": {"name": "Table"}, "nobody": None}}
