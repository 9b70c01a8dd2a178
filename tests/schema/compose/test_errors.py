"""Each composition error class: its code, the coordinate and the subgraphs it names."""

from __future__ import annotations

import pytest

from schema.compose import CompositionFailed, SubgraphInput, compose
from tests.schema.compose.error_cases import ERROR_CASES, ErrorCase


@pytest.mark.parametrize("case", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_error_is_named_with_coordinate_and_subgraphs(case: ErrorCase) -> None:
    result = compose(case.subgraphs)

    assert result.supergraph_sdl is None
    matching = [error for error in result.errors if error.code == case.code]
    assert matching, f"expected {case.code}, got {[str(e) for e in result.errors]}"
    error = matching[0]
    if case.coordinate is not None:
        assert error.coordinates == (case.coordinate,)
        assert case.coordinate.split("(")[0] in error.message
    assert set(case.involved) <= set(error.subgraphs)
    with pytest.raises(CompositionFailed) as raised:
        result.unwrap()
    assert case.code in str(raised.value)


def test_override_from_unknown_subgraph_is_a_hint_not_an_error() -> None:
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@override"])\n'
        'type User @key(fields: "id") { id: ID! plan: String @override(from: "billing") }\n'
        "type Query { me: User }"
    )
    result = compose([SubgraphInput("accounts", "http://accounts/graphql", sdl)])

    assert result.errors == []
    assert [hint.code for hint in result.hints] == ["FROM_SUBGRAPH_DOES_NOT_EXIST"]
    assert result.hints[0].coordinates == ("User.plan",)
    # Apollo ignores such an @override: no @join__field is needed for a field served by its only subgraph.
    assert "  plan: String\n" in result.unwrap()


def test_duplicate_subgraph_names_are_refused() -> None:
    sdl = "type Query { a: Int }"
    result = compose([SubgraphInput("a", "http://a", sdl), SubgraphInput("a", "http://b", sdl)])

    assert [error.code for error in result.errors] == ["INVALID_SUBGRAPH_NAME"]


def test_every_error_of_a_broken_set_is_reported_at_once() -> None:
    sdl_a = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
        'type User @key(fields: "id") { id: ID! name: String age: Int }\ntype Query { me: User }'
    )
    sdl_b = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
        'type User @key(fields: "id") { id: ID! name: String age: String }'
    )
    result = compose([SubgraphInput("a", "http://a", sdl_a), SubgraphInput("b", "http://b", sdl_b)])

    coordinates = sorted((e.code, e.coordinates[0]) for e in result.errors)
    assert coordinates == [
        ("FIELD_TYPE_MISMATCH", "User.age"),
        ("INVALID_FIELD_SHARING", "User.age"),
        ("INVALID_FIELD_SHARING", "User.name"),
    ]


def test_type_system_errors_name_the_definitions_involved() -> None:
    result = compose(ERROR_CASES["invalid_type_system"].subgraphs)

    [error] = result.errors
    assert error.code == "INVALID_GRAPHQL"
    assert error.coordinates == ("Named.name", "Dog.name")
    assert error.subgraphs == ("a",)
    assert "Named.name" in error.message and "Dog.name" in error.message
