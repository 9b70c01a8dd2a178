"""The client operation (and field sets) normalised for planning.

Fragment spreads become inline fragments, arguments and `@skip`/`@include` are pre-printed, and
every node knows the variables it uses: planning then never touches the graphql-core AST again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    print_ast,
    visit,
)

from router.supergraph.fieldsets import parse_field_set

__all__ = ["Field", "Fragment", "Sel", "field_set", "normalize"]

_CONDITIONAL = ("skip", "include")


@dataclass(frozen=True, slots=True, eq=False)
class Field:
    response_key: str
    name: str
    alias: str | None
    args_text: str  # "(a: 1, b: $v)" or ""
    directives_text: str  # " @include(if: $x)" or ""
    variables: frozenset[str]
    selections: tuple[Sel, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Fragment:
    type_condition: str | None
    directives_text: str
    variables: frozenset[str]
    selections: tuple[Sel, ...]


Sel: TypeAlias = Field | Fragment


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.names.add(node.name.value)


def _variables(nodes: tuple[ArgumentNode | DirectiveNode, ...]) -> frozenset[str]:
    if not nodes:
        return frozenset()
    collector = _Variables()
    for node in nodes:
        visit(node, collector)
    return frozenset(collector.names)


def _args_text(arguments: tuple[ArgumentNode, ...]) -> str:
    if not arguments:
        return ""
    return "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in arguments) + ")"


def _directives(directives: tuple[DirectiveNode, ...] | None) -> tuple[DirectiveNode, ...]:
    # Only the executable directives every subgraph understands travel into fetches.
    return tuple(d for d in directives or () if d.name.value in _CONDITIONAL)


def _directives_text(directives: tuple[DirectiveNode, ...]) -> str:
    return "".join(" " + print_ast(d) for d in directives)


def normalize(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    _seen: frozenset[str] = frozenset(),
    _visited: set[tuple[str, str | None]] | None = None,
    _context: str | None = None,
) -> tuple[Sel, ...]:
    """Client selections -> planning nodes (fragment spreads inlined).

    GraphQL spec §6.3.2 CollectFields: within one field's selection set a fragment spread
    already collected is not collected again (`visitedFragments`). Without this, a few hundred
    bytes of fragments spreading each other twice per level expand exponentially. Planning has
    no runtime type, so the rule applies per enclosing type condition, and only to spreads
    without @skip/@include (their variables are unknown at plan time)."""
    if selection_set is None:
        return ()
    visited: set[tuple[str, str | None]] = set() if _visited is None else _visited
    result: list[Sel] = []
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            arguments = tuple(node.arguments or ())
            directives = _directives(node.directives)
            result.append(
                Field(
                    response_key=node.alias.value if node.alias else node.name.value,
                    name=node.name.value,
                    alias=node.alias.value if node.alias else None,
                    args_text=_args_text(arguments),
                    directives_text=_directives_text(directives),
                    variables=_variables(arguments + directives),
                    selections=normalize(node.selection_set, fragments, _seen),
                )
            )
        elif isinstance(node, InlineFragmentNode):
            directives = _directives(node.directives)
            type_condition = node.type_condition.name.value if node.type_condition else None
            result.append(
                Fragment(
                    type_condition=type_condition,
                    directives_text=_directives_text(directives),
                    variables=_variables(directives),
                    selections=normalize(
                        node.selection_set, fragments, _seen, visited, type_condition or _context
                    ),
                )
            )
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            definition = fragments.get(name)
            if definition is None or name in _seen:
                continue
            directives = _directives(node.directives)
            if not directives:
                if (name, _context) in visited:
                    continue
                visited.add((name, _context))
            type_condition = definition.type_condition.name.value
            result.append(
                Fragment(
                    type_condition=type_condition,
                    directives_text=_directives_text(directives),
                    variables=_variables(directives),
                    selections=normalize(definition.selection_set, fragments, _seen | {name}, visited, type_condition),
                )
            )
    return tuple(result)


@lru_cache(maxsize=4096)
def field_set(text: str) -> tuple[Sel, ...]:
    """A join__FieldSet string (key / requires / provides) as planning nodes."""
    return normalize(parse_field_set(text), {})
