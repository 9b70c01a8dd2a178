"""Merging what travels into the supergraph besides types: directive uses (@tag, @inaccessible,
authz, …), descriptions and default values."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import ListValueNode, StringValueNode, ValueNode, print_ast

from schema.compose.errors import CompositionHint
from schema.compose.model import AppliedDirective

__all__ = ["merge_applied", "merge_default", "merge_description"]

_REPEATABLE = {"tag"}
# Authorization requirements are lists of alternatives (OR) of lists of scopes/policies (AND);
# two subgraphs' requirements combine with AND so that neither subgraph's rule is weakened.
_CONJUNCTIVE = {"requiresScopes": "scopes", "policy": "policies"}


def _key(directive: AppliedDirective) -> str:
    printed = ",".join(f"{k}:{print_ast(v)}" for k, v in sorted(directive.arguments.items()))
    return f"{directive.name}({printed})"


def _alternatives(value: ValueNode | None) -> list[tuple[str, ...]]:
    if not isinstance(value, ListValueNode):
        return []
    result: list[tuple[str, ...]] = []
    for group in value.values:
        if isinstance(group, ListValueNode):
            names = sorted({v.value for v in group.values if isinstance(v, StringValueNode)})
            result.append(tuple(names))
    return result


def _conjunction(a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    combined: list[tuple[str, ...]] = []
    for left in a:
        for right in b:
            merged = tuple(sorted(set(left) | set(right)))
            if merged not in combined:
                combined.append(merged)
    return combined


def _as_value(alternatives: list[tuple[str, ...]]) -> ListValueNode:
    return ListValueNode(
        values=tuple(
            ListValueNode(values=tuple(StringValueNode(value=name) for name in group))
            for group in alternatives
        )
    )


def merge_applied(groups: Iterable[list[AppliedDirective]]) -> list[AppliedDirective]:
    """Union of the directive uses of several subgraphs' definitions of one element."""
    result: list[AppliedDirective] = []
    seen: set[str] = set()
    by_name: dict[str, AppliedDirective] = {}
    for group in groups:
        for directive in group:
            key = _key(directive)
            if key in seen:
                continue
            seen.add(key)
            if directive.name in _REPEATABLE:
                result.append(directive)
                continue
            existing = by_name.get(directive.name)
            if existing is None:
                copy = AppliedDirective(directive.name, dict(directive.arguments))
                by_name[directive.name] = copy
                result.append(copy)
            elif directive.name in _CONJUNCTIVE:
                argument = _CONJUNCTIVE[directive.name]
                combined = _conjunction(
                    _alternatives(existing.arguments.get(argument)),
                    _alternatives(directive.arguments.get(argument)),
                )
                existing.arguments[argument] = _as_value(combined)
    return result


def merge_default(
    hints: list[CompositionHint], coordinate: str, defaults: list[ValueNode | None], graphs: list[str]
) -> ValueNode | None:
    """A default only some subgraphs declare is dropped (Apollo: INCONSISTENT_DEFAULT_VALUE_PRESENCE)."""
    if all(d is not None for d in defaults):
        return defaults[0]
    if any(d is not None for d in defaults):
        hints.append(
            CompositionHint(
                "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
                f'"{coordinate}" has a default value in only some subgraphs; the supergraph has none',
                tuple(graphs),
                (coordinate,),
            )
        )
    return None


def merge_description(descriptions: Iterable[str | None]) -> str | None:
    """The description most subgraphs give (the first of them on a tie), as Apollo picks it."""
    counts: dict[str, int] = {}
    for description in descriptions:
        if description:
            counts[description] = counts.get(description, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    return next(text for text, count in counts.items() if count == best)
