"""Entities sent to an @interfaceObject subgraph: input rewrites give the representation the
interface's name, and the answer (typed as the interface) never replaces the concrete type."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from graphql import build_schema

from router.executor import Executor
from router.planner.nodes import (
    FetchNode,
    FieldSelection,
    InlineFragmentSelection,
    QueryPlan,
    SequenceNode,
    ValueSetter,
)
from tests.router.executor.plans import flatten, root_fetch, run_plan
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

API = """
type Query { media: [Media!]! }
interface Media { id: ID! title: String! }
type Book implements Media { id: ID! title: String! pages: Int! }
type Movie implements Media { id: ID! title: String! }
"""

PLAN = QueryPlan(
    SequenceNode(
        (
            root_fetch("library", "{media{__typename id ...on Book{pages}}}"),
            flatten(
                "media.@",
                FetchNode(
                    subgraph="titles",
                    operation=(
                        "query($representations:[_Any!]!){_entities(representations:$representations)"
                        "{...on Media{__typename title}}}"
                    ),
                    requires=(
                        InlineFragmentSelection("Book", (FieldSelection("__typename"), FieldSelection("id"))),
                        InlineFragmentSelection(
                            "Movie", (FieldSelection("__typename"), FieldSelection("id"))
                        ),
                    ),
                    input_rewrites=(
                        ValueSetter(("... on Book", "__typename"), "Media"),
                        ValueSetter(("... on Movie", "__typename"), "Media"),
                    ),
                ),
            ),
        )
    )
)


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[tuple[dict[str, TestSubgraph], Executor]]:
    subgraphs = {
        "library": TestSubgraph(
            """
            type Query { media: [Media!]! }
            interface Media @key(fields: "id") { id: ID! }
            type Book implements Media @key(fields: "id") { id: ID! pages: Int! }
            type Movie implements Media @key(fields: "id") { id: ID! }
            """,
            resolvers={
                "Query.media": lambda _r, _i: [
                    {"__typename": "Book", "id": "b1", "pages": 300},
                    {"__typename": "Movie", "id": "m1"},
                ]
            },
        ),
        "titles": TestSubgraph(
            'type Media @key(fields: "id") @interfaceObject { id: ID! title: String! }',
            entities={
                "Media": lambda rep: {"__typename": "Media", "id": rep["id"], "title": f"Title {rep['id']}"}
            },
        ),
    }
    async with running_subgraphs(subgraphs) as urls:
        executor = Executor(build_schema(API), subgraph_urls=urls)
        try:
            yield subgraphs, executor
        finally:
            await executor.aclose()


async def test_interface_object_answers_keep_the_concrete_typename(
    env: tuple[dict[str, TestSubgraph], Executor],
) -> None:
    subgraphs, executor = env
    body = await run_plan(executor, PLAN, "{ media { __typename title ... on Book { pages } } }")
    assert body == {
        "data": {
            "media": [
                {"__typename": "Book", "title": "Title b1", "pages": 300},
                {"__typename": "Movie", "title": "Title m1"},
            ]
        }
    }
    assert subgraphs["titles"].representations == [
        {"__typename": "Media", "id": "b1"},
        {"__typename": "Media", "id": "m1"},
    ]
