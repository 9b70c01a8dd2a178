"""Walking merged response data: objects at a Flatten path, deep merge (FEDERATION.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from router.planner.nodes import PathElement, TypeCondition

__all__ = ["ResponsePath", "TypeMatcher", "collect_objects", "deep_merge"]

ResponsePath = list[str | int]
# (runtime __typename or None, type condition) -> whether the object satisfies the condition.
TypeMatcher = Callable[[str | None, str], bool]

_FRAGMENT_PREFIX = "... on "


def collect_objects(
    data: dict[str, Any], path: tuple[PathElement, ...], matches: TypeMatcher
) -> list[tuple[dict[str, Any], ResponsePath]]:
    """Every object reachable from `data` along `path`, with its response path.

    "@" walks the elements of a list; a TypeCondition (or an Apollo-style "... on T" string)
    keeps only objects whose `__typename` satisfies it. Nulls and missing keys end a branch.
    Lists left at the end (or met where a key is expected) are walked transparently, so a
    planner path that omits an "@" still reaches the objects.
    """
    current: list[tuple[Any, ResponsePath]] = [(data, [])]
    for element in path:
        found: list[tuple[Any, ResponsePath]] = []
        if element == "@":
            for value, value_path in current:
                _walk_list(value, value_path, found)
        elif isinstance(element, TypeCondition):
            for value, value_path in current:
                _keep_matching(value, value_path, element.types, matches, found)
        elif element.startswith(_FRAGMENT_PREFIX):
            types = frozenset({element[len(_FRAGMENT_PREFIX) :].strip()})
            for value, value_path in current:
                _keep_matching(value, value_path, types, matches, found)
        else:
            for value, value_path in current:
                _step_key(value, value_path, element, found)
        current = found
        if not current:
            return []
    result: list[tuple[dict[str, Any], ResponsePath]] = []
    for value, value_path in current:
        _flatten_objects(value, value_path, result)
    return result


def _walk_list(value: Any, value_path: ResponsePath, found: list[tuple[Any, ResponsePath]]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, list):
                _walk_list(item, [*value_path, index], found)
            elif item is not None:
                found.append((item, [*value_path, index]))
    elif isinstance(value, dict):
        found.append((value, value_path))


def _step_key(value: Any, value_path: ResponsePath, key: str, found: list[tuple[Any, ResponsePath]]) -> None:
    if isinstance(value, dict):
        child = value.get(key)
        if child is not None:
            found.append((child, [*value_path, key]))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _step_key(item, [*value_path, index], key, found)


def _keep_matching(
    value: Any,
    value_path: ResponsePath,
    types: frozenset[str],
    matches: TypeMatcher,
    found: list[tuple[Any, ResponsePath]],
) -> None:
    if isinstance(value, dict):
        typename = value.get("__typename")
        if typename in types or any(matches(typename, condition) for condition in types):
            found.append((value, value_path))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _keep_matching(item, [*value_path, index], types, matches, found)


def _flatten_objects(
    value: Any, value_path: ResponsePath, out: list[tuple[dict[str, Any], ResponsePath]]
) -> None:
    if isinstance(value, dict):
        out.append((value, value_path))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten_objects(item, [*value_path, index], out)


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
