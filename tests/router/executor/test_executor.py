"""The executor on hand-built plans against real subgraphs on loopback: merge, dedup, requires,
projection, null propagation, error paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from router.executor import Executor
from router.planner.nodes import (
    ConditionNode,
    FieldSelection,
    QueryPlan,
    SequenceNode,
    TypeCondition,
)
from tests.router.executor.plans import entity_fetch, flatten, root_fetch, run_plan
from tests.router.executor.scenario import api_schema, make_subgraphs
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

Env = tuple[dict[str, TestSubgraph], Executor]


@pytest.fixture(scope="module")
async def shop() -> AsyncIterator[Env]:
    subgraphs = make_subgraphs()
    async with running_subgraphs(subgraphs) as urls:
        executor = Executor(api_schema(), subgraph_urls=urls)
        try:
            yield subgraphs, executor
        finally:
            await executor.aclose()


@pytest.fixture
def env(shop: Env) -> Env:
    for subgraph in shop[0].values():
        subgraph.reset()
    return shop


TOP_PRODUCTS_REVIEWS = QueryPlan(
    SequenceNode(
        (
            root_fetch("products", "{topProducts{__typename upc name}}"),
            flatten(
                "topProducts.@",
                entity_fetch("reviews", "Product", "reviews{body author{__typename id}}", key=("upc",)),
            ),
            flatten("topProducts.@.reviews.@.author", entity_fetch("accounts", "User", "name")),
        )
    )
)


async def test_nested_entity_fetches_merge_into_the_client_shape(env: Env) -> None:
    subgraphs, executor = env
    body = await run_plan(
        executor, TOP_PRODUCTS_REVIEWS, "{ topProducts { name reviews { body author { name } } } }"
    )
    assert body == {
        "data": {
            "topProducts": [
                {
                    "name": "Table",
                    "reviews": [
                        {"body": "Love it", "author": {"name": "Ada"}},
                        {"body": "Too big", "author": {"name": "Grace"}},
                    ],
                },
                {
                    "name": "Couch",
                    "reviews": [
                        {"body": "Comfy", "author": {"name": "Ada"}},
                        {"body": "Ghost", "author": None},
                    ],
                },
                {"name": "Chair", "reviews": []},
            ]
        }
    }
    # One _entities request per fetch; the three reviews with an author name two users.
    assert len(subgraphs["reviews"].received) == 1
    assert subgraphs["reviews"].representations == [
        {"__typename": "Product", "upc": "p1"},
        {"__typename": "Product", "upc": "p2"},
        {"__typename": "Product", "upc": "p3"},
    ]
    assert len(subgraphs["accounts"].received) == 1
    assert subgraphs["accounts"].representations == [
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "2"},
    ]


REQUIRES_PLAN = QueryPlan(
    SequenceNode(
        (
            root_fetch("products", "{topProducts{__typename upc price weight}}"),
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


async def test_requires_fields_travel_in_representations_and_entity_errors_get_client_paths(env: Env) -> None:
    subgraphs, executor = env
    body = await run_plan(executor, REQUIRES_PLAN, "{ topProducts { upc shippingEstimate } }")
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
    assert subgraphs["inventory"].representations == [
        {"__typename": "Product", "upc": "p1", "price": 899, "weight": 100},
        {"__typename": "Product", "upc": "p2", "price": 1299, "weight": 1000},
        {"__typename": "Product", "upc": "p3", "price": 54, "weight": 50},
    ]


async def test_aliases_fragments_typename_and_skip_include(env: Env) -> None:
    subgraphs, executor = env
    plan = QueryPlan(
        SequenceNode(
            (
                root_fetch(
                    "products",
                    "query($first:Int){items:topProducts(first:$first){__typename upc id:upc title:name cost:price}}",
                    variables=("first",),
                ),
                flatten("items.@", entity_fetch("inventory", "Product", "inStock", key=("upc",))),
            )
        )
    )
    query = """
      query Q($first: Int, $withPrice: Boolean!, $hideStock: Boolean = false) {
        kind: __typename
        items: topProducts(first: $first) {
          __typename
          ...Basics
          ... on Product { cost: price @include(if: $withPrice) }
          inStock @skip(if: $hideStock)
        }
      }
      fragment Basics on Product { id: upc title: name t2: __typename }
    """
    body = await run_plan(executor, plan, query, {"first": 2, "withPrice": False, "hideStock": False})
    assert body == {
        "data": {
            "kind": "Query",
            "items": [
                {"__typename": "Product", "id": "p1", "title": "Table", "t2": "Product", "inStock": True},
                {"__typename": "Product", "id": "p2", "title": "Couch", "t2": "Product", "inStock": True},
            ],
        }
    }
    assert subgraphs["products"].received[0].variables == {"first": 2}
    body = await run_plan(executor, plan, query, {"first": 1, "withPrice": True, "hideStock": True})
    assert body == {
        "data": {
            "kind": "Query",
            "items": [{"__typename": "Product", "id": "p1", "title": "Table", "t2": "Product", "cost": 899}],
        }
    }


async def test_union_members_resolved_by_typename_through_type_condition_paths(env: Env) -> None:
    subgraphs, executor = env
    plan = QueryPlan(
        SequenceNode(
            (
                root_fetch("products", "{search{__typename ...on Product{name} ...on User{__typename id}}}"),
                flatten(
                    ("search", "@", TypeCondition(frozenset({"User"}))),
                    entity_fetch("accounts", "User", "name"),
                ),
            )
        )
    )
    query = "{ search { __typename ... on Product { name } ... on User { name } } }"
    body = await run_plan(executor, plan, query)
    assert body == {
        "data": {
            "search": [
                {"__typename": "Product", "name": "Table"},
                {"__typename": "User", "name": "Grace"},
            ]
        }
    }
    assert subgraphs["accounts"].representations == [{"__typename": "User", "id": "2"}]


async def test_enum_value_unknown_to_the_api_schema_reads_as_null(env: Env) -> None:
    _, executor = env
    plan = QueryPlan(root_fetch("products", "{topProducts{upc category}}"))
    body = await run_plan(executor, plan, "{ topProducts { upc category } }")
    assert body == {
        "data": {
            "topProducts": [
                {"upc": "p1", "category": "GAMES"},
                {"upc": "p2", "category": "BOOKS"},
                {"upc": "p3", "category": None},
            ]
        }
    }


async def test_introspection_and_root_typename_never_reach_a_subgraph(env: Env) -> None:
    subgraphs, executor = env
    query = """
      { __typename
        __schema { queryType { name } mutationType { name } }
        review: __type(name: "Review") { fields { name } } }
    """
    body = await run_plan(executor, QueryPlan(None), query)
    assert body == {
        "data": {
            "__typename": "Query",
            "__schema": {"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}},
            "review": {"fields": [{"name": "id"}, {"name": "body"}, {"name": "author"}, {"name": "rating"}]},
        }
    }
    assert all(not subgraph.received for subgraph in subgraphs.values())


async def test_condition_node_branches_on_the_variable(env: Env) -> None:
    subgraphs, executor = env
    plan = QueryPlan(
        ConditionNode(
            condition="withMe",
            if_clause=root_fetch("accounts", "{me{name}}"),
            else_clause=None,
        )
    )
    query = "query($withMe: Boolean!) { me @include(if: $withMe) { name } }"
    assert await run_plan(executor, plan, query, {"withMe": True}) == {"data": {"me": {"name": "Ada"}}}
    assert await run_plan(executor, plan, query, {"withMe": False}) == {"data": {}}
    assert len(subgraphs["accounts"].received) == 1


async def test_mutations_run_in_sequence(env: Env) -> None:
    subgraphs, executor = env
    plan = QueryPlan(
        SequenceNode(
            (
                root_fetch("accounts", 'mutation{a:rename(id:"1",name:"A"){name}}', kind="mutation"),
                root_fetch("accounts", 'mutation{b:rename(id:"2",name:"B"){name}}', kind="mutation"),
            )
        )
    )
    query = 'mutation { a: rename(id: "1", name: "A") { name } b: rename(id: "2", name: "B") { name } }'
    body = await run_plan(executor, plan, query)
    assert body == {"data": {"a": {"name": "A"}, "b": {"name": "B"}}}
    assert [r.query for r in subgraphs["accounts"].received] == [
        'mutation{a:rename(id:"1",name:"A"){name}}',
        'mutation{b:rename(id:"2",name:"B"){name}}',
    ]


async def test_subgraph_headers_are_sent_with_every_fetch(env: Env) -> None:
    subgraphs, executor = env
    headers = {"authorization": "Bearer abc", "traceparent": "00-0123-01"}
    await run_plan(
        executor, TOP_PRODUCTS_REVIEWS, "{ topProducts { reviews { author { name } } } }", headers=headers
    )
    for name in ("products", "reviews", "accounts"):
        received = subgraphs[name].received
        assert len(received) == 1
        assert received[0].headers["authorization"] == "Bearer abc"
        assert received[0].headers["traceparent"] == "00-0123-01"


async def test_identical_concurrent_queries_share_one_subgraph_request(env: Env) -> None:
    import asyncio

    subgraphs, executor = env
    plan = QueryPlan(root_fetch("accounts", "{users{name}}"))
    first, second = await asyncio.gather(
        run_plan(executor, plan, "{ users { name } }"), run_plan(executor, plan, "{ users { name } }")
    )
    expected: dict[str, Any] = {"data": {"users": [{"name": "Ada"}, {"name": "Grace"}]}}
    assert first == expected
    assert second == expected
    assert len(subgraphs["accounts"].received) == 1
