"""Projection alone (pure, no I/O): merged data shaped to the client operation over a schema."""

from __future__ import annotations

from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse

from router.executor.projection import FieldCollectionCache, Projector

SCHEMA = build_schema(
    """
    scalar JSON
    type Query { pets: [Pet!] owner: Owner! only: Lonely things: [[Thing!]]! }
    interface Pet { name: String! }
    type Dog implements Pet { name: String! barks: Boolean }
    type Cat implements Pet { name: String! lives: Int }
    interface Lonely { tag: String }
    type Only implements Lonely { tag: String }
    type Owner { id: ID! label: String meta: JSON size: Int kind: Kind }
    enum Kind { A B }
    type Thing { n: Int! }
    """
)


def _project(
    query: str, data: dict[str, Any], errors: list[dict[str, Any]] | None = None, **variables: Any
) -> tuple[Any, list[dict[str, Any]]]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found = list(errors or [])
    projector = Projector(SCHEMA, fragments, variables, found, FieldCollectionCache())
    assert SCHEMA.query_type is not None
    return projector.project_root(SCHEMA.query_type, operation.selection_set, data, {}), found


def test_fragments_type_conditions_aliases_and_dropped_planner_fields() -> None:
    data = {
        "pets": [
            {"__typename": "Dog", "name": "Rex", "barks": True, "_key": 1},
            {"__typename": "Cat", "name": "Tom", "lives": 9},
        ]
    }
    result, errors = _project(
        "query($withLives: Boolean!) { pets { t: __typename ...P ... on Dog { barks } lives @include(if: $withLives) } }"
        " fragment P on Pet { name }",
        {"pets": [{**data["pets"][0]}, {**data["pets"][1], "lives": 9}]},
        withLives=False,
    )
    assert result == {"pets": [{"t": "Dog", "name": "Rex", "barks": True}, {"t": "Cat", "name": "Tom"}]}
    assert errors == []


def test_leaf_values_are_serialized_like_the_supergraph_types() -> None:
    result, errors = _project(
        "{ owner { id label meta size kind } }",
        {"owner": {"id": 7, "label": True, "meta": {"any": [1, "x"]}, "size": 3.0, "kind": "C"}},
    )
    assert result == {
        "owner": {"id": "7", "label": "true", "meta": {"any": [1, "x"]}, "size": 3, "kind": None}
    }
    # An enum value unknown to the API schema reads as null, without an error.
    assert errors == []


def test_missing_typename_resolves_when_only_one_type_is_possible() -> None:
    result, _ = _project(
        "{ only { __typename tag } pets { name } }", {"only": {"tag": "x"}, "pets": [{"name": "?"}]}
    )
    # Lonely has one implementation; Pet has two, so the untyped pet cannot be shown.
    assert result == {"only": {"__typename": "Only", "tag": "x"}, "pets": None}


def test_null_propagation_through_nested_lists_reports_once() -> None:
    result, errors = _project("{ things { n } }", {"things": [[{"n": 1}], [{"n": None}], None]})
    assert result == {"things": [[{"n": 1}], None, None]}
    assert [e["path"] for e in errors] == [["things", 1, 0, "n"]]


def test_nulls_already_explained_by_a_subgraph_error_get_no_second_error() -> None:
    upstream = [{"message": "owner service down", "path": ["owner"]}]
    result, errors = _project("{ owner { id } }", {}, upstream)
    assert result is None
    assert errors == upstream
