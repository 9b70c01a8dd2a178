"""Token counting (the cheap guard in front of the parser)."""

from __future__ import annotations

import pytest

from router.stages.analysis import count_tokens
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router


@pytest.mark.parametrize(
    ("query", "tokens"),
    [
        ("{ a }", 3),
        ('query Q($x: Int = 3) { a(x: $x) @include(if: true) { b } }', 29),
        ("# a comment only counts as nothing\n{ a }", 3),
        ("{ a(s: \"a string with { braces }\") }", 8),
    ],
)
def test_count_tokens(query: str, tokens: int) -> None:
    assert count_tokens(query, 1000) == tokens


def test_counting_stops_just_past_the_limit() -> None:
    assert count_tokens("{ " + "a " * 10_000 + "}", 50) == 51


def test_a_syntax_error_stops_the_count() -> None:
    assert count_tokens('{ a "unterminated', 100) == 2


async def test_field_suggestions_are_hidden_unless_introspection_is_on(subgraphs: Subgraphs) -> None:
    query = {"query": "{ prodcts { id } }"}
    async with serve_router(subgraphs.sdl) as client:
        hidden = (await client.post("/graphql", json=query, headers=JSON_HEADERS)).json()
    async with serve_router(subgraphs.sdl, {"introspection": True}) as client:
        shown = (await client.post("/graphql", json=query, headers=JSON_HEADERS)).json()
    assert hidden["errors"][0]["message"] == "Cannot query field 'prodcts' on type 'Query'."
    assert hidden["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean" in shown["errors"][0]["message"]
