"""Cache policies of operations (pure: schema + hints → policy), Apollo's cache-control rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse

from router.caching.config import ResponseCacheConfig
from router.caching.hints import CachePolicy, SchemaHints, hints_from_sdl

SDL = """
directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean)
  on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
enum CacheControlScope { PUBLIC PRIVATE }
type Query {
  feed: [Item!]! @cacheControl(maxAge: 300)
  article(id: ID!): Article
  viewer: Viewer @cacheControl(maxAge: 20, scope: PRIVATE)
  version: String @cacheControl(maxAge: 900)
  now: String
  related: Article @cacheControl(inheritMaxAge: true)
}
type Mutation { editArticle(id: ID!): Article! }
interface Item { id: ID! }
type Article implements Item @cacheControl(maxAge: 100) {
  id: ID!
  title: String
  author: Author
  views: Int @cacheControl(maxAge: 5)
}
type Video implements Item @cacheControl(maxAge: 50) { id: ID! url: String }
type Author { name: String }
type Viewer { name: String }
"""


@dataclass
class _Prepared:
    document_hash: str
    operation_name: str | None
    operation: OperationDefinitionNode
    operation_type: str
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)


def _prepared(query: str) -> Any:
    document = parse(query)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = operations[0]
    return _Prepared(query, None, operation, operation.operation.value, fragments)


def _hints(**config: Any) -> SchemaHints:
    return SchemaHints(build_schema(SDL), ResponseCacheConfig(enabled=True, **config), SDL)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ version }", CachePolicy(900, "PUBLIC", frozenset())),
        ("{ feed { id } }", CachePolicy(300, "PUBLIC", frozenset({"Item", "Article", "Video"}))),
        # Fragments on concrete types count; their own hints do not apply to inherited leaves.
        (
            "{ feed { ... on Article { title views } ...V } } fragment V on Video { url }",
            CachePolicy(5, "PUBLIC", frozenset({"Item", "Article", "Video"})),
        ),
        ('{ article(id: "1") { title } version }', CachePolicy(100, "PUBLIC", frozenset({"Article"}))),
        ("{ viewer { name } version }", CachePolicy(20, "PRIVATE", frozenset({"Viewer"}))),
        ("{ __typename version }", CachePolicy(900, "PUBLIC", frozenset())),
    ],
)
def test_cacheable_operations_get_the_smallest_age_and_the_narrowest_scope(
    query: str, expected: CachePolicy
) -> None:
    assert _hints().policy(_prepared(query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        "{ now }",  # root leaf without a hint
        '{ article(id: "1") { author { name } } }',  # composite field without a hint
        "{ version __schema { queryType { name } } }",  # introspection
        "{ related { id } }",  # inheritMaxAge at the root: nothing to inherit
        'mutation { editArticle(id: "1") { id } }',
    ],
)
def test_operations_with_an_unhinted_part_are_not_cacheable(query: str) -> None:
    assert _hints().policy(_prepared(query)) is None


def test_router_config_hints_complete_and_override_the_schema() -> None:
    hints = _hints(
        types={"Author": {"max_age": 40}},
        fields={"Query.now": {"max_age": 1}, "Query.version": {"max_age": 10, "scope": "PRIVATE"}},
    )
    assert hints.policy(_prepared('{ article(id: "1") { author { name } } }')) == CachePolicy(
        40, "PUBLIC", frozenset({"Article", "Author"})
    )
    assert hints.policy(_prepared("{ now version }")) == CachePolicy(1, "PRIVATE", frozenset())


def test_directives_can_be_ignored() -> None:
    assert _hints(use_schema_directives=False).policy(_prepared("{ version }")) is None


def test_mutation_types_are_the_returned_types() -> None:
    prepared = _prepared('mutation { editArticle(id: "1") { id author { name } } }')
    assert _hints().mutation_types(prepared) == frozenset({"Article"})


def test_hints_from_sdl_reads_types_and_fields() -> None:
    types, fields = hints_from_sdl(SDL)
    assert types["Article"].max_age == 100
    assert fields[("Query", "viewer")].scope == "PRIVATE"
    assert fields[("Query", "related")].max_age is None
    assert hints_from_sdl("type Query { a: Int }") == ({}, {})


def test_field_hints_must_name_a_coordinate() -> None:
    with pytest.raises(ValueError, match="Type.field"):
        ResponseCacheConfig(fields={"version": {"max_age": 1}})  # type: ignore[dict-item]
