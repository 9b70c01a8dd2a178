"""Pure data tests: objects at Flatten paths, representations, rewrites, deep merge."""

from __future__ import annotations

from typing import Any

from router.executor.paths import collect_linked, collect_objects, deep_merge, link_path
from router.executor.representations import (
    apply_rewrites,
    build_flat_representation,
    build_representation,
    flatten_requires,
)
from router.planner.nodes import (
    FieldSelection,
    InlineFragmentSelection,
    KeyRenamer,
    TypeCondition,
    ValueSetter,
)

_POSSIBLE = {"Media": {"Book", "Movie"}}


def _matches(typename: str | None, condition: str) -> bool:
    return typename == condition or typename in _POSSIBLE.get(condition, set())


def _field_info(typename: str | None, field: str) -> tuple[bool, str | None] | None:
    non_null: dict[tuple[str | None, str], bool] = {
        ("Book", "id"): True,
        ("Book", "org"): False,
        ("Org", "id"): True,
        ("Book", "note"): False,
    }
    named: dict[tuple[str | None, str], str] = {("Book", "org"): "Org"}
    if (typename, field) not in non_null:
        return None
    return non_null[(typename, field)], named.get((typename, field))


BOOK_KEY = (
    InlineFragmentSelection(
        "Book",
        (
            FieldSelection("__typename"),
            FieldSelection("id"),
            FieldSelection("org", selections=(FieldSelection("id"),)),
            FieldSelection("note"),
        ),
    ),
)


def test_collect_walks_lists_and_type_conditions_with_response_paths() -> None:
    data: dict[str, Any] = {
        "shelves": [
            {"items": [{"__typename": "Book", "id": "1"}, None, {"__typename": "Pen", "id": "p"}]},
            None,
            {"items": [[{"__typename": "Movie", "id": "m"}]]},
        ]
    }
    found = collect_objects(
        data, ("shelves", "@", "items", "@", TypeCondition(frozenset({"Media"}))), _matches
    )
    assert [(obj["id"], path) for obj, path in found] == [
        ("1", ["shelves", 0, "items", 0]),
        ("m", ["shelves", 2, "items", 0, 0]),
    ]
    apollo_style = collect_objects(data, ("shelves", "@", "items", "@", "... on Pen"), _matches)
    assert [path for _, path in apollo_style] == [["shelves", 0, "items", 2]]


def test_linked_collection_finds_the_same_objects_and_builds_paths_only_on_demand() -> None:
    data: dict[str, Any] = {
        "users": [
            {"reviews": [{"product": {"upc": "1"}}, {"product": None}, {"product": {"upc": "2"}}]},
            {"reviews": None},
            {"reviews": [[{"product": {"upc": "3"}}]]},
        ],
        "top": {"__typename": "Book", "id": "b"},
    }
    objects, links = collect_linked(data, ("users", "@", "reviews", "@", "product"), _matches)
    assert [obj["upc"] for obj in objects] == ["1", "2", "3"]
    # The very objects of the response tree (merges write into them), not copies.
    assert objects[0] is data["users"][0]["reviews"][0]["product"]
    assert [link_path(link) for link in links] == [
        ["users", 0, "reviews", 0, "product"],
        ["users", 0, "reviews", 2, "product"],
        ["users", 2, "reviews", 0, 0, "product"],
    ]
    # A key met on a list walks it transparently, as the list form does.
    found = collect_objects(data, ("users", "reviews", "product"), _matches)
    assert [path for _, path in found] == [link_path(link) for link in links]
    typed, typed_links = collect_linked(data, ("top", TypeCondition(frozenset({"Media"}))), _matches)
    assert typed == [data["top"]] and link_path(typed_links[0]) == ["top"]
    assert collect_linked(data, ("missing", "@"), _matches) == ([], [])
    assert link_path(None) == []


def test_representation_reads_aliases_writes_names_and_keeps_nullable_nulls() -> None:
    obj = {"__typename": "Book", "id": "1", "org": {"id": "o"}, "note": None, "title": "x"}
    assert build_representation(obj, BOOK_KEY, _matches, _field_info) == {
        "__typename": "Book",
        "id": "1",
        "org": {"id": "o"},
        "note": None,
    }
    aliased = (
        InlineFragmentSelection("Book", (FieldSelection("__typename"), FieldSelection("id", alias="_k0"))),
    )
    assert build_representation(
        {"__typename": "Book", "_k0": "7", "id": "client"}, aliased, _matches, _field_info
    ) == {
        "__typename": "Book",
        "id": "7",
    }


def test_objects_with_null_or_missing_key_fields_or_no_matching_type_are_skipped() -> None:
    assert (
        build_representation(
            {"__typename": "Book", "id": None, "org": None, "note": None}, BOOK_KEY, _matches, _field_info
        )
        is None
    )
    assert (
        build_representation(
            {"__typename": "Book", "org": None, "note": None}, BOOK_KEY, _matches, _field_info
        )
        is None
    )
    assert (
        build_representation(
            {"__typename": "Book", "id": "1", "org": {"id": None}, "note": 1}, BOOK_KEY, _matches, _field_info
        )
        is None
    )
    assert build_representation({"__typename": "Pen", "id": "1"}, BOOK_KEY, _matches, _field_info) is None


def test_input_and_output_rewrites_for_interface_objects() -> None:
    representation: dict[str, Any] = {"__typename": "Book", "id": "1"}
    apply_rewrites(representation, (ValueSetter(("... on Book", "__typename"), "Media"),), _matches)
    assert representation == {"__typename": "Media", "id": "1"}
    entity: dict[str, Any] = {"__typename": "Media", "_t": "x", "nested": [{"a": 1}, {"a": 2}]}
    apply_rewrites(
        entity,
        (
            KeyRenamer(("... on Media", "_t"), "title"),
            ValueSetter(("nested", "a"), "z"),
            ValueSetter(("... on Movie", "__typename"), "never"),
        ),
        _matches,
    )
    assert entity == {"__typename": "Media", "title": "x", "nested": [{"a": "z"}, {"a": "z"}]}


def test_deep_merge_combines_objects_and_lists_and_never_erases_with_null() -> None:
    target: dict[str, Any] = {"a": {"x": 1}, "list": [{"id": 1}, {"id": 2}], "keep": {"k": 1}, "s": 1}
    deep_merge(target, {"a": {"y": 2}, "list": [{"n": "a"}, {"n": "b"}], "keep": None, "s": 2, "new": [1]})
    assert target == {
        "a": {"x": 1, "y": 2},
        "list": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}],
        "keep": {"k": 1},
        "s": 2,
        "new": [1],
    }


def test_flat_requires_give_the_same_representations_as_the_tree_walk() -> None:
    requires = (
        InlineFragmentSelection(
            "Book", (FieldSelection("__typename"), FieldSelection("id"), FieldSelection("note"))
        ),
        InlineFragmentSelection("Media", (FieldSelection("__typename"), FieldSelection("id", alias="k"))),
    )
    flat = flatten_requires(requires)
    assert flat == (
        ("Book", (("__typename", "__typename"), ("id", "id"), ("note", "note"))),
        ("Media", (("__typename", "__typename"), ("k", "id"))),
    )
    objects: list[dict[str, Any]] = [
        {"__typename": "Book", "id": "1", "note": None, "k": "1"},
        {"__typename": "Book", "id": None, "note": "x", "k": "1"},
        {"__typename": "Book", "id": "1"},
        {"__typename": "Movie", "k": "m"},
        {"__typename": "Pen", "id": "p"},
    ]
    for obj in objects:
        assert build_flat_representation(obj, flat, _matches, _field_info) == build_representation(
            obj, requires, _matches, _field_info
        )
    assert flatten_requires(BOOK_KEY) is None  # nested `org { id }` needs the tree walk
