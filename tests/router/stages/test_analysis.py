"""Token counting (the cheap guard in front of the parser)."""

from __future__ import annotations

import pytest

from router.stages.analysis import count_tokens


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
