"""The change classifier: one case per rule (breaking / dangerous / safe, with its coordinate)."""

from __future__ import annotations

import pytest
from graphql import build_schema

from schema.check import diff_schemas

_BASE = """
interface Node { id: ID! }
type User implements Node { id: ID! name: String! email: String nick: String @deprecated(reason: "x") }
type Post implements Node { id: ID! title: String tags: [String!]! }
union Feed = User | Post
enum Unit { KG LB }
scalar Legacy
input Range { from: Int!, to: Int, unit: Unit = KG }
type Query {
  user(id: ID!, locale: String): User
  posts(first: Int = 10, range: Range): [Post!]!
  feed: [Feed!]!
  units: [Unit!]!
}
"""

# name -> (text to replace in _BASE, replacement, code, severity, coordinate)
_RULES: dict[str, tuple[str, str, str, str, str]] = {
    "type removed": ("scalar Legacy", "", "TYPE_REMOVED", "breaking", "Legacy"),
    "type added": ("enum Unit", "scalar Date\nenum Unit", "TYPE_ADDED", "safe", "Date"),
    "type kind changed": (
        "union Feed = User | Post",
        "type Feed { id: ID }",
        "TYPE_KIND_CHANGED",
        "breaking",
        "Feed",
    ),
    "field removed": ("email: String ", "", "FIELD_REMOVED", "breaking", "User.email"),
    "field added": ("email: String ", "email: String age: Int ", "FIELD_ADDED", "safe", "User.age"),
    "output non-null to nullable": (
        "name: String!",
        "name: String",
        "FIELD_TYPE_CHANGED",
        "breaking",
        "User.name",
    ),
    "output nullable to non-null": (
        "email: String ",
        "email: String! ",
        "FIELD_TYPE_NARROWED",
        "safe",
        "User.email",
    ),
    "output retyped": ("title: String", "title: Int", "FIELD_TYPE_CHANGED", "breaking", "Post.title"),
    "output list inner nullable": (
        "tags: [String!]!",
        "tags: [String]!",
        "FIELD_TYPE_CHANGED",
        "breaking",
        "Post.tags",
    ),
    "field deprecated": (
        "email: String ",
        'email: String @deprecated(reason: "gone") ',
        "FIELD_DEPRECATED",
        "safe",
        "User.email",
    ),
    "argument removed": (
        "user(id: ID!, locale: String)",
        "user(id: ID!)",
        "ARGUMENT_REMOVED",
        "breaking",
        "Query.user(locale:)",
    ),
    "required argument added": (
        "feed: [Feed!]!",
        "feed(since: String!): [Feed!]!",
        "REQUIRED_ARGUMENT_ADDED",
        "breaking",
        "Query.feed(since:)",
    ),
    "optional argument added": (
        "feed: [Feed!]!",
        "feed(since: String): [Feed!]!",
        "OPTIONAL_ARGUMENT_ADDED",
        "safe",
        "Query.feed(since:)",
    ),
    "argument nullable to required": (
        "locale: String)",
        "locale: String!)",
        "ARGUMENT_TYPE_CHANGED",
        "breaking",
        "Query.user(locale:)",
    ),
    "argument required to nullable": (
        "user(id: ID!,",
        "user(id: ID,",
        "ARGUMENT_TYPE_WIDENED",
        "safe",
        "Query.user(id:)",
    ),
    "argument default changed": (
        "first: Int = 10",
        "first: Int = 20",
        "ARGUMENT_DEFAULT_CHANGED",
        "dangerous",
        "Query.posts(first:)",
    ),
    "enum value removed": (
        "enum Unit { KG LB }",
        "enum Unit { KG }",
        "ENUM_VALUE_REMOVED",
        "breaking",
        "Unit.LB",
    ),
    "enum value added": (
        "enum Unit { KG LB }",
        "enum Unit { KG LB ST }",
        "ENUM_VALUE_ADDED",
        "dangerous",
        "Unit.ST",
    ),
    "union member removed": (
        "union Feed = User | Post",
        "union Feed = User",
        "UNION_MEMBER_REMOVED",
        "breaking",
        "Feed",
    ),
    "union member added": (
        "union Feed = User | Post",
        "type Ad { id: ID }\nunion Feed = User | Post | Ad",
        "UNION_MEMBER_ADDED",
        "dangerous",
        "Feed",
    ),
    "implementation removed": (
        "type Post implements Node",
        "type Post",
        "IMPLEMENTATION_REMOVED",
        "breaking",
        "Post",
    ),
    "implementation added": (
        "interface Node { id: ID! }",
        "interface Node { id: ID! }\ninterface Titled { title: String }",
        "TYPE_ADDED",
        "safe",
        "Titled",
    ),
    "input field removed": ("to: Int,", "", "INPUT_FIELD_REMOVED", "breaking", "Range.to"),
    "required input field added": (
        "to: Int,",
        "to: Int, step: Int!,",
        "REQUIRED_INPUT_FIELD_ADDED",
        "breaking",
        "Range.step",
    ),
    "optional input field added": (
        "to: Int,",
        "to: Int, step: Int,",
        "OPTIONAL_INPUT_FIELD_ADDED",
        "safe",
        "Range.step",
    ),
    "input field required to nullable": (
        "from: Int!",
        "from: Int",
        "INPUT_FIELD_TYPE_WIDENED",
        "safe",
        "Range.from",
    ),
    "input field nullable to required": (
        "to: Int,",
        "to: Int!,",
        "INPUT_FIELD_TYPE_CHANGED",
        "breaking",
        "Range.to",
    ),
    "input field default changed": (
        "unit: Unit = KG",
        "unit: Unit = LB",
        "INPUT_FIELD_DEFAULT_CHANGED",
        "dangerous",
        "Range.unit",
    ),
}


@pytest.mark.parametrize("rule", _RULES.values(), ids=_RULES.keys())
def test_each_rule(rule: tuple[str, str, str, str, str]) -> None:
    old_text, new_text, code, severity, coordinate = rule
    assert old_text in _BASE
    changes = diff_schemas(build_schema(_BASE), build_schema(_BASE.replace(old_text, new_text, 1)))

    matching = [c for c in changes if c.code == code and c.coordinate == coordinate]
    assert matching, [(c.code, c.coordinate) for c in changes]
    assert matching[0].severity == severity
    assert coordinate.split("(")[0].split(".")[0] in matching[0].message


def test_interface_added_to_object_is_dangerous() -> None:
    new = _BASE.replace(
        "interface Node { id: ID! }", "interface Node { id: ID! }\ninterface Titled { title: String }"
    )
    new = new.replace("type Post implements Node", "type Post implements Node & Titled")
    changes = diff_schemas(build_schema(_BASE), build_schema(new))

    assert ("IMPLEMENTATION_ADDED", "dangerous", "Post") in [
        (c.code, c.severity, c.coordinate) for c in changes
    ]


def test_identical_schemas_have_no_changes_and_order_is_breaking_first() -> None:
    assert diff_schemas(build_schema(_BASE), build_schema(_BASE)) == []
    new = _BASE.replace("email: String ", "age: Int ").replace(
        "enum Unit { KG LB }", "enum Unit { KG LB ST }"
    )
    severities = [c.severity for c in diff_schemas(build_schema(_BASE), build_schema(new))]
    assert severities == sorted(severities, key=["breaking", "dangerous", "safe"].index)
    assert severities[0] == "breaking" and "safe" in severities
