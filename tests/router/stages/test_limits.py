"""Depth / alias / root-field limits: the measurement itself, then the refusals over HTTP."""

from __future__ import annotations

import httpx
import orjson
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from router.stages.limits import OperationShape, measure_operation
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router


def shape(query: str) -> OperationShape:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return measure_operation(operation, fragments)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ a }", OperationShape(depth=1, aliases=0, root_fields=1, fields=1)),
        ("{ a { b { c } } d }", OperationShape(depth=3, aliases=0, root_fields=2, fields=4)),
        ("{ x: a y: a { z: b } }", OperationShape(depth=2, aliases=3, root_fields=2, fields=3)),
        # Spreads and inline fragments add no depth themselves but count what they contain.
        ("{ ...F a { ... on T { b { c } } } } fragment F on Query { p: q r }", OperationShape(3, 1, 3, 5)),
        ("query { a { ...G } } fragment G on A { b { ...H } } fragment H on B { c }", OperationShape(3, 0, 1, 3)),
    ],
)
def test_measure_operation(query: str, expected: OperationShape) -> None:
    assert shape(query) == expected


def test_fragment_bomb_is_measured_by_its_expansion() -> None:
    # Each level spreads the one below 3 times: 3**4 aliased leaves once expanded.
    levels = ["fragment L0 on Q { x: a }"]
    for level in range(1, 5):
        levels.append(f"fragment L{level} on Q {{ ...L{level - 1} ...L{level - 1} ...L{level - 1} }}")
    measured = shape("{ ...L4 } " + " ".join(levels))
    assert measured.aliases == 81
    assert measured.root_fields == 81
    assert measured.depth == 1
    assert measured.fields == 81


def test_a_fragment_bomb_below_a_field_is_measured_by_its_total_fields() -> None:
    # Two spreads per level, twenty levels, under one field: a few hundred bytes of document
    # that would expand to about two million fields.
    levels = ["fragment F20 on W { id }"]
    levels += [f"fragment F{level} on W {{ id ...F{level + 1} ...F{level + 1} }}" for level in range(19, -1, -1)]
    measured = shape('{ workout(id: "w1") { ...F0 } } ' + " ".join(levels))
    assert measured.root_fields == 1
    assert measured.depth == 2
    assert measured.fields == 1 + (2**21 - 1)


async def post(client: httpx.AsyncClient, query: str) -> httpx.Response:
    return await client.post("/graphql", content=orjson.dumps({"query": query}), headers=JSON_HEADERS)


async def test_limits_refuse_before_any_subgraph_call(subgraphs: Subgraphs) -> None:
    config = {"limits": {"max_depth": 2, "max_aliases": 2, "max_root_fields": 2, "max_tokens": 40}}
    async with serve_router(subgraphs.sdl, config) as client:
        within = await post(client, '{ a: product(id: "1") { name } b: product(id: "2") { name } }')
        assert within.json() == {"data": {"a": {"name": "Kettlebell"}, "b": {"name": "Yoga mat"}}}
        calls = len(subgraphs.products.received)

        cases = {
            "MAX_DEPTH_LIMIT": '{ ...F } fragment F on Query { product(id: "1") { reviews { body } } }',
            "MAX_ALIASES_LIMIT": '{ a: product(id: "1") { n: name } b: product(id: "2") { name } }',
            "MAX_ROOT_FIELDS_LIMIT": '{ broken products { id } ... on Query { product(id: "1") { id } } }',
            "MAX_TOKENS_LIMIT": "{ " + "broken " * 40 + "}",
        }
        for code, query in cases.items():
            response = await post(client, query)
            assert response.status_code == 200, code
            body = response.json()
            assert "data" not in body
            assert body["errors"][0]["extensions"]["code"] == code
            assert "limit" in body["errors"][0]["message"]
        assert len(subgraphs.products.received) == calls


async def test_a_nested_fragment_bomb_is_refused_by_the_default_limits(subgraphs: Subgraphs) -> None:
    levels = ["fragment F20 on Product { id }"]
    levels += [
        f"fragment F{level} on Product {{ id ...F{level + 1} ...F{level + 1} }}" for level in range(19, -1, -1)
    ]
    async with serve_router(subgraphs.sdl) as client:
        calls = len(subgraphs.products.received)
        response = await post(client, '{ product(id: "1") { ...F0 } } ' + " ".join(levels))
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "MAX_FIELDS_LIMIT"
    assert len(subgraphs.products.received) == calls


async def test_limit_refusal_is_400_under_graphql_response_json(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl, {"limits": {"max_depth": 1}}) as client:
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": "{ products { name } }"}),
            headers={**JSON_HEADERS, "accept": "application/graphql-response+json"},
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "MAX_DEPTH_LIMIT"


async def test_null_disables_limits(subgraphs: Subgraphs) -> None:
    config = {"limits": {"max_depth": None, "max_aliases": None, "max_root_fields": None, "max_tokens": None}}
    async with serve_router(subgraphs.sdl, config) as client:
        query = "{ " + " ".join(f"p{i}: products(first: 1) {{ name }}" for i in range(300)) + " }"
        response = await post(client, query)
        assert response.status_code == 200
        assert response.json()["data"]["p299"] == [{"name": "Kettlebell"}]
