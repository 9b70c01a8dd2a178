"""Entity representations from a Fetch's `requires`, and input/output rewrites.

A representation is `__typename` + key fields + required fields read from an object already in
the response. Objects that cannot produce one (null, key or required field missing, a non-null
field null, no type condition matching) are skipped: the entity fetch never sees them and the
fields it would have added resolve to null during projection (FEDERATION.md §3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from router.executor.paths import TypeMatcher
from router.planner.nodes import (
    FieldSelection,
    InlineFragmentSelection,
    KeyRenamer,
    RequiresSelection,
    Rewrite,
    ValueSetter,
)

__all__ = [
    "FieldTypeInfo",
    "FlatRequires",
    "apply_rewrites",
    "build_flat_representation",
    "build_representation",
    "flatten_requires",
]

_FRAGMENT_PREFIX = "... on "

# (parent type name, field name) -> (is the field non-null, name of its named type) or None
FieldTypeInfo = Callable[[str | None, str], tuple[bool, str | None] | None]


# The common shape of `requires` (`... on T { __typename id … }` with leaf fields only), compiled
# to (type condition, ((response key, name), …)) pairs so representations need no tree walk.
FlatRequires = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

_MISSING = object()


def flatten_requires(requires: tuple[RequiresSelection, ...]) -> FlatRequires | None:
    """The flat form of `requires`, or None when it has nested selections."""
    flat: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for selection in requires:
        if not isinstance(selection, InlineFragmentSelection) or selection.type_condition is None:
            return None
        fields: list[tuple[str, str]] = []
        for field in selection.selections:
            if not isinstance(field, FieldSelection) or field.selections:
                return None
            fields.append((field.response_key, field.name))
        flat.append((selection.type_condition, tuple(fields)))
    return tuple(flat)


def build_flat_representation(
    obj: dict[str, Any], flat: FlatRequires, matches: TypeMatcher, field_info: FieldTypeInfo
) -> dict[str, Any] | None:
    """Same result as `build_representation` for requires that `flatten_requires` accepted."""
    typename = obj.get("__typename")
    representation: dict[str, Any] | None = None
    for condition, fields in flat:
        if typename == condition or matches(typename, condition):
            if representation is None:
                representation = {}
            for key, name in fields:
                value = obj.get(key, _MISSING)
                if value is None:
                    info = field_info(typename, name)
                    if info is not None and info[0]:
                        return None
                elif value is _MISSING:
                    return None
                representation[name] = value
    return representation or None


class _Skip(Exception):
    """Raised inside the walk when the object cannot produce a representation."""


def build_representation(
    obj: dict[str, Any],
    requires: tuple[RequiresSelection, ...],
    matches: TypeMatcher,
    field_info: FieldTypeInfo,
) -> dict[str, Any] | None:
    try:
        representation = _select(obj, requires, obj.get("__typename"), matches, field_info)
    except _Skip:
        return None
    if not representation:
        return None
    return representation


def _select(
    obj: dict[str, Any],
    selections: tuple[RequiresSelection, ...],
    parent_type: str | None,
    matches: TypeMatcher,
    field_info: FieldTypeInfo,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    runtime_type = obj.get("__typename") or parent_type
    for selection in selections:
        if isinstance(selection, FieldSelection):
            key = selection.response_key
            if key not in obj:
                raise _Skip
            value = obj[key]
            if value is None:
                info = field_info(runtime_type, selection.name)
                if info is not None and info[0]:
                    raise _Skip
                out[selection.name] = None
            elif selection.selections:
                info = field_info(runtime_type, selection.name)
                child_type = info[1] if info is not None else None
                selected = _select_value(value, selection.selections, child_type, matches, field_info)
                previous = out.get(selection.name)
                if isinstance(previous, dict) and isinstance(selected, dict):
                    previous.update(selected)
                else:
                    out[selection.name] = selected
            else:
                out[selection.name] = value
        else:
            condition = selection.type_condition
            if condition is None or matches(runtime_type, condition):
                nested = _select(obj, selection.selections, condition or runtime_type, matches, field_info)
                for name, value in nested.items():
                    previous = out.get(name)
                    if isinstance(previous, dict) and isinstance(value, dict):
                        previous.update(value)
                    else:
                        out[name] = value
    return out


def _select_value(
    value: Any,
    selections: tuple[RequiresSelection, ...],
    type_name: str | None,
    matches: TypeMatcher,
    field_info: FieldTypeInfo,
) -> Any:
    if isinstance(value, list):
        return [
            None if item is None else _select_value(item, selections, type_name, matches, field_info)
            for item in value
        ]
    if isinstance(value, dict):
        return _select(value, selections, type_name, matches, field_info)
    raise _Skip


def apply_rewrites(value: dict[str, Any], rewrites: tuple[Rewrite, ...], matches: TypeMatcher) -> None:
    """Apply ValueSetter / KeyRenamer rewrites in place (Apollo's DataRewrite semantics)."""
    for rewrite in rewrites:
        if rewrite.path:
            _rewrite_at(value, rewrite, 0, matches)


def _rewrite_at(value: Any, rewrite: Rewrite, index: int, matches: TypeMatcher) -> None:
    if isinstance(value, list):
        for item in value:
            _rewrite_at(item, rewrite, index, matches)
        return
    if not isinstance(value, dict):
        return
    element = rewrite.path[index]
    if element.startswith(_FRAGMENT_PREFIX):
        condition = element[len(_FRAGMENT_PREFIX) :].strip()
        typename = value.get("__typename")
        if typename == condition or matches(typename, condition):
            if index + 1 < len(rewrite.path):
                _rewrite_at(value, rewrite, index + 1, matches)
        return
    if index + 1 < len(rewrite.path):
        child = value.get(element)
        if child is not None:
            _rewrite_at(child, rewrite, index + 1, matches)
        return
    if isinstance(rewrite, ValueSetter):
        value[element] = rewrite.set_value_to
    elif isinstance(rewrite, KeyRenamer) and element in value:
        value[rewrite.rename_key_to] = value.pop(element)
