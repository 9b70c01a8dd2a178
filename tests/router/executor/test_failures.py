"""Subgraph failures never fail the request: partial data, nulls and one error per affected path."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from router.executor import Executor
from router.planner.nodes import FieldSelection, ParallelNode, QueryPlan, SequenceNode
from tests.router.executor.plans import entity_fetch, flatten, root_fetch, run_plan
from tests.router.executor.scenario import api_schema, make_subgraphs
from tests.router.executor.test_executor import REQUIRES_PLAN, TOP_PRODUCTS_REVIEWS
from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import free_port

Env = tuple[dict[str, TestSubgraph], Executor]


@pytest.fixture(scope="module")
async def shop() -> AsyncIterator[Env]:
    subgraphs = make_subgraphs()
    async with running_subgraphs(subgraphs) as urls:
        urls["ghost"] = f"http://127.0.0.1:{free_port()}/graphql"  # nothing listens there
        executor = Executor(api_schema(), subgraph_urls=urls, subgraph_timeouts={"inventory": 0.3})
        try:
            yield subgraphs, executor
        finally:
            await executor.aclose()


@pytest.fixture(scope="module")
async def redacting(shop: Env) -> AsyncIterator[Executor]:
    executor = Executor(api_schema(), subgraph_urls=shop[1].subgraph_urls, include_subgraph_errors=False)
    yield executor
    await executor.aclose()


@pytest.fixture
def env(shop: Env) -> Env:
    for subgraph in shop[0].values():
        subgraph.reset()
    return shop


def _failure(message: str, code: str, path: list[str | int], service: str) -> dict[str, object]:
    return {"message": message, "path": path, "extensions": {"code": code, "service": service}}


async def test_entity_fetch_http_500_nulls_the_objects_it_should_have_completed(env: Env) -> None:
    subgraphs, executor = env
    subgraphs["accounts"].failure = "http_500"
    body = await run_plan(
        executor, TOP_PRODUCTS_REVIEWS, "{ topProducts { name reviews { body author { name } } } }"
    )
    message = "HTTP fetch failed from 'accounts': 500: Internal Server Error"
    assert body == {
        "data": {
            "topProducts": [
                {
                    "name": "Table",
                    "reviews": [{"body": "Love it", "author": None}, {"body": "Too big", "author": None}],
                },
                {
                    "name": "Couch",
                    "reviews": [{"body": "Comfy", "author": None}, {"body": "Ghost", "author": None}],
                },
                {"name": "Chair", "reviews": []},
            ]
        },
        "errors": [
            _failure(
                message, "SUBREQUEST_HTTP_ERROR", ["topProducts", 0, "reviews", 0, "author"], "accounts"
            ),
            _failure(
                message, "SUBREQUEST_HTTP_ERROR", ["topProducts", 1, "reviews", 0, "author"], "accounts"
            ),
            _failure(
                message, "SUBREQUEST_HTTP_ERROR", ["topProducts", 0, "reviews", 1, "author"], "accounts"
            ),
        ],
    }


async def test_malformed_json_propagates_nulls_to_data_without_duplicate_errors(env: Env) -> None:
    subgraphs, executor = env
    subgraphs["reviews"].failure = "malformed_json"
    body = await run_plan(executor, TOP_PRODUCTS_REVIEWS, "{ topProducts { name reviews { body } } }")
    message = "HTTP fetch failed from 'reviews': invalid JSON in response body"
    assert body == {
        "data": None,
        "errors": [
            _failure(message, "SUBREQUEST_MALFORMED_RESPONSE", ["topProducts", index], "reviews")
            for index in range(3)
        ],
    }


async def test_root_fetch_answering_non_graphql_json_yields_error_at_each_root_field(env: Env) -> None:
    subgraphs, executor = env
    subgraphs["accounts"].failure = "not_graphql"
    plan = QueryPlan(root_fetch("accounts", "{me{name} users{name}}"))
    body = await run_plan(executor, plan, "{ me { name } users { name } }")
    message = "HTTP fetch failed from 'accounts': response is not a GraphQL response object"
    assert body == {
        "data": None,
        "errors": [
            _failure(message, "SUBREQUEST_MALFORMED_RESPONSE", ["me"], "accounts"),
            _failure(message, "SUBREQUEST_MALFORMED_RESPONSE", ["users"], "accounts"),
        ],
    }


async def test_timeout_of_one_subgraph_keeps_the_rest_of_the_response(env: Env) -> None:
    subgraphs, executor = env
    subgraphs["inventory"].failure = "hang"
    plan = QueryPlan(
        SequenceNode(
            (
                root_fetch("products", "{topProducts(first:2){__typename upc name price weight}}"),
                flatten(
                    "topProducts.@",
                    entity_fetch(
                        "inventory",
                        "Product",
                        "shippingEstimate",
                        key=("upc",),
                        requires=(FieldSelection("price"), FieldSelection("weight")),
                    ),
                ),
            )
        )
    )
    body = await run_plan(executor, plan, "{ topProducts(first: 2) { name shippingEstimate } }")
    message = "HTTP fetch failed from 'inventory': request timed out after 0.3s"
    assert body == {
        "data": {
            "topProducts": [
                {"name": "Table", "shippingEstimate": None},
                {"name": "Couch", "shippingEstimate": None},
            ]
        },
        "errors": [
            _failure(message, "GATEWAY_TIMEOUT", ["topProducts", 0], "inventory"),
            _failure(message, "GATEWAY_TIMEOUT", ["topProducts", 1], "inventory"),
        ],
    }


async def test_unreachable_subgraph_does_not_stop_parallel_siblings(env: Env) -> None:
    _, executor = env
    plan = QueryPlan(
        ParallelNode(
            (root_fetch("ghost", "{me{name}}"), root_fetch("products", "{topProducts(first:1){name}}"))
        )
    )
    body = await run_plan(executor, plan, "{ me { name } topProducts(first: 1) { name } }")
    assert body["data"] == {"me": None, "topProducts": [{"name": "Table"}]}
    [failure] = body["errors"]
    assert failure["path"] == ["me"]
    assert failure["extensions"] == {"code": "SUBREQUEST_HTTP_ERROR", "service": "ghost"}
    assert failure["message"].startswith("HTTP fetch failed from 'ghost': ")


async def test_null_in_a_position_the_supergraph_declares_non_null_nulls_the_parent(env: Env) -> None:
    _, executor = env
    plan = QueryPlan(
        SequenceNode(
            (
                root_fetch(
                    "products",
                    'query{a:product(upc:"p1"){__typename upc} b:product(upc:"p2"){__typename upc}}',
                ),
                flatten("a", entity_fetch("reviews", "Product", "reviews{rating}", key=("upc",))),
                flatten("b", entity_fetch("reviews", "Product", "reviews{rating}", key=("upc",))),
            )
        )
    )
    body = await run_plan(
        executor,
        plan,
        '{ a: product(upc: "p1") { reviews { rating } } b: product(upc: "p2") { reviews { rating } } }',
    )
    assert body == {
        "data": {"a": {"reviews": [{"rating": 5}, {"rating": 2}]}, "b": None},
        "errors": [
            {
                "message": "Cannot return null for non-nullable field Review.rating.",
                "path": ["b", "reviews", 1, "rating"],
                "extensions": {"code": "INVALID_SUBGRAPH_VALUE"},
            }
        ],
    }


async def test_subgraph_error_messages_can_be_redacted(env: Env, redacting: Executor) -> None:
    body = await run_plan(redacting, REQUIRES_PLAN, "{ topProducts { upc shippingEstimate } }")
    assert body["errors"] == [
        {
            "message": "Subgraph errors redacted",
            "path": ["topProducts", 1],
            "extensions": {"code": "SUBGRAPH_ERROR", "service": "inventory"},
        }
    ]
    assert body["data"]["topProducts"][1] == {"upc": "p2", "shippingEstimate": None}
