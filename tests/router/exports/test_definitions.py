"""Export definitions: the comment header, validation against a schema, the columns."""

from __future__ import annotations

import pytest
from graphql import build_schema

from router.exports.definitions import ExportError, columns_for, load_exports, parse_export
from router.exports.runner import coerce_parameters, rows_at
from schema.operations.manifest import DEFAULT_DIRECTORY

SCHEMA = build_schema(
    """
    scalar DateTime
    type Query { feed(first: Int!, after: String, since: DateTime, tags: [String!]): Feed! }
    type Feed { items: [Item!]! info: Info! }
    type Info { more: Boolean! next: String }
    type Item { id: ID! at: DateTime! who: Who tags: [String!]! }
    type Who { name: String! team: Team }
    type Team { code: Int }
    """
)
TEXT = """# export: feed
# rows: feed.items
# page_info: feed.info
# cursor: after
# partition: at
query Feed($first: Int! = 5, $after: String, $RangeStart: DateTime, $tags: [String!]) {
  feed(first: $first, after: $after, since: $RangeStart, tags: $tags) {
    items { key: id at who { name team { code } } tags ...More }
    info { more next }
  }
}
fragment More on Item { id }
"""


def test_header_and_columns() -> None:
    definition = parse_export(TEXT, "ignored")
    assert (definition.name, definition.rows, definition.page_info) == (
        "feed",
        ("feed", "items"),
        ("feed", "info"),
    )
    assert definition.partition == "at" and definition.operation_name == "Feed"
    columns = columns_for(definition, SCHEMA)
    assert [(c.name, c.type_name, c.is_list) for c in columns] == [
        ("key", "ID", False),
        ("at", "DateTime", False),
        ("who.name", "String", False),
        ("who.team.code", "Int", False),
        ("tags", "String", True),
        ("id", "ID", False),
    ]


def test_parameters_are_typed_by_the_variable_definitions() -> None:
    definition = parse_export(TEXT, "feed")
    variables = coerce_parameters(
        definition, {"first": "3", "RangeStart": "2026-01-01T00:00:00Z", "tags": '["a"]'}, max_page_size=10
    )
    assert variables == {"first": 3, "RangeStart": "2026-01-01T00:00:00Z", "tags": ["a"]}


def test_rows_walk_through_lists() -> None:
    data = {"a": [{"b": [{"x": 1}, {"x": 2}]}, {"b": None}, {"b": [{"x": 3}]}]}
    assert [row["x"] for row in rows_at(data, ("a", "b"))] == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("query Q { feed(first: 1) { info { more } } }", "rows"),
        ("# rows: feed.items\nmutation M { x }", "exactly one query"),
        ("# rows: feed.items\n# page_info: feed.info\nquery Q { feed(first: 1) { items { id } } }", "cursor"),
        ("# rows: feed.items\nquery Q { feed(first: 1) { items { id } }", "Syntax Error"),
        ("# export: bad/name\n# rows: a\nquery Q { a }", "letters"),
    ],
)
def test_malformed_definitions(text: str, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        parse_export(text, "x")


def test_definitions_must_fit_the_schema() -> None:
    wrong_path = parse_export("# rows: feed.nothing\nquery Q { feed(first: 1) { items { id } } }", "x")
    with pytest.raises(ExportError, match="selects no `nothing`"):
        columns_for(wrong_path, SCHEMA)
    invalid = parse_export("# rows: feed.items\nquery Q { feed(first: 1) { items { nope } } }", "x")
    with pytest.raises(ExportError, match="nope"):
        columns_for(invalid, SCHEMA)


def test_committed_exports_parse() -> None:
    exports = load_exports(DEFAULT_DIRECTORY.parent / "exports")
    assert exports["my-workouts"].rows == ("me", "workouts", "edges", "node")
    assert {"rangeStart", "rangeEnd"} <= exports["my-workouts"].variables
    assert exports["users"].page_info == ("users", "pageInfo")
