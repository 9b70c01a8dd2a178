"""Walking merged response data: objects at a Flatten path, deep merge (FEDERATION.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from router.planner.nodes import PathElement, TypeCondition

__all__ = [
    "PathLink",
    "ResponsePath",
    "TypeMatcher",
    "collect_linked",
    "collect_objects",
    "deep_merge",
    "link_path",
]

ResponsePath = list[str | int]
# (runtime __typename or None, type condition) -> whether the object satisfies the condition.
TypeMatcher = Callable[[str | None, str], bool]

_FRAGMENT_PREFIX = "... on "


# A response path as a linked list (parent link, key), None at the root: extending it costs
# one tuple, where a list copy would cost O(depth) per object. Built for every collected
# object, turned into a list only when an error needs it (`link_path`).
PathLink = tuple[Any, str | int] | None


def link_path(link: PathLink) -> ResponsePath:
    keys: ResponsePath = []
    while link is not None:
        link, key = link
        keys.append(key)
    keys.reverse()
    return keys


def collect_objects(
    data: dict[str, Any], path: tuple[PathElement, ...], matches: TypeMatcher
) -> list[tuple[dict[str, Any], ResponsePath]]:
    """Every object reachable from `data` along `path`, with its response path.

    "@" walks the elements of a list; a TypeCondition (or an Apollo-style "... on T" string)
    keeps only objects whose `__typename` satisfies it. Nulls and missing keys end a branch.
    Lists left at the end (or met where a key is expected) are walked transparently, so a
    planner path that omits an "@" still reaches the objects.
    """
    objects, links = collect_linked(data, path, matches)
    return [(obj, link_path(link)) for obj, link in zip(objects, links, strict=True)]


def collect_linked(
    data: dict[str, Any], path: tuple[PathElement, ...], matches: TypeMatcher
) -> tuple[list[dict[str, Any]], list[PathLink]]:
    """`collect_objects` for the hot path: parallel lists of objects and their path links.

    Per-object work is inlined in loops over the current frontier (this runs for every entity
    fetch of every request); only nested lists recurse."""
    values: list[Any] = [data]
    links: list[PathLink] = [None]
    for element in path:
        found: list[Any] = []
        found_links: list[PathLink] = []
        if isinstance(element, str) and element != "@" and not element.startswith(_FRAGMENT_PREFIX):
            key = element
            for value, link in zip(values, links, strict=True):
                if value.__class__ is dict:
                    child = value.get(key)
                    if child is not None:
                        found.append(child)
                        found_links.append((link, key))
                elif isinstance(value, list):
                    _step_key(value, link, key, found, found_links)
                elif isinstance(value, dict):
                    child = value.get(key)
                    if child is not None:
                        found.append(child)
                        found_links.append((link, key))
        elif element == "@":
            for value, link in zip(values, links, strict=True):
                if isinstance(value, list):
                    _walk_list(value, link, found, found_links)
                elif isinstance(value, dict):
                    found.append(value)
                    found_links.append(link)
        else:
            if isinstance(element, TypeCondition):
                types = element.types
            else:
                types = frozenset({element[len(_FRAGMENT_PREFIX) :].strip()})
            for value, link in zip(values, links, strict=True):
                _keep_matching(value, link, types, matches, found, found_links)
        values, links = found, found_links
        if not values:
            return [], []
    objects: list[dict[str, Any]] = []
    object_links: list[PathLink] = []
    for value, link in zip(values, links, strict=True):
        if isinstance(value, dict):
            objects.append(value)
            object_links.append(link)
        elif isinstance(value, list):
            _flatten_objects(value, link, objects, object_links)
    return objects, object_links


def _walk_list(value: list[Any], link: PathLink, found: list[Any], found_links: list[PathLink]) -> None:
    for index, item in enumerate(value):
        if item is None:
            continue
        if isinstance(item, list):
            _walk_list(item, (link, index), found, found_links)
        else:
            found.append(item)
            found_links.append((link, index))


def _step_key(
    value: list[Any], link: PathLink, key: str, found: list[Any], found_links: list[PathLink]
) -> None:
    for index, item in enumerate(value):
        if isinstance(item, dict):
            child = item.get(key)
            if child is not None:
                found.append(child)
                found_links.append(((link, index), key))
        elif isinstance(item, list):
            _step_key(item, (link, index), key, found, found_links)


def _keep_matching(
    value: Any,
    link: PathLink,
    types: frozenset[str],
    matches: TypeMatcher,
    found: list[Any],
    found_links: list[PathLink],
) -> None:
    if isinstance(value, dict):
        typename = value.get("__typename")
        if typename in types or any(matches(typename, condition) for condition in types):
            found.append(value)
            found_links.append(link)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _keep_matching(item, (link, index), types, matches, found, found_links)


def _flatten_objects(
    value: list[Any], link: PathLink, objects: list[dict[str, Any]], object_links: list[PathLink]
) -> None:
    for index, item in enumerate(value):
        if isinstance(item, dict):
            objects.append(item)
            object_links.append((link, index))
        elif isinstance(item, list):
            _flatten_objects(item, (link, index), objects, object_links)


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Merge `source` into `target` in place; objects merge field by field, lists of equal
    length element by element. A null never erases an object another fetch already filled."""
    for key, value in source.items():
        existing = target.get(key)
        if existing is None:
            target[key] = value
        elif isinstance(existing, dict):
            if isinstance(value, dict):
                if existing is not value:
                    deep_merge(existing, value)
            elif value is not None:
                target[key] = value
        elif isinstance(existing, list):
            if isinstance(value, list) and len(value) == len(existing):
                _merge_lists(existing, value)
            elif value is not None:
                target[key] = value
        else:
            target[key] = value


def _merge_lists(existing: list[Any], incoming: list[Any]) -> None:
    for index, item in enumerate(incoming):
        current = existing[index]
        if isinstance(current, dict) and isinstance(item, dict):
            if current is not item:
                deep_merge(current, item)
        elif isinstance(current, list) and isinstance(item, list) and len(current) == len(item):
            _merge_lists(current, item)
        elif item is not None or not isinstance(current, dict | list):
            existing[index] = item
