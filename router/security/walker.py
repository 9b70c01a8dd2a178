"""The selection walk behind authorization filtering (router/security/authz.py states the rules).

One walk filters one operation for one grant: requirement checks are memoised per type and
per field, each named fragment is filtered once (authorization does not depend on where it is
spread), and every removal is recorded with its response path and where its `null` belongs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
)

from auth.claims import Claims
from router.security.directives import AuthorizationRequirements, Requirement, satisfied

__all__ = ["MAX_AUTHZ_ERRORS", "Grant", "Path", "Removed", "SelectionWalker"]

Path = tuple[str, ...]
# A removed field: its response path, and how many leading segments of that path name where
# `null` goes in the response (the field itself when nullable, else the nearest nullable
# ancestor, per GraphQL spec §6.4.4 null propagation): 0 = the whole `data`, None = nowhere
# (the field sat under a narrowing type condition: which objects it concerned is unknown).
Removed = tuple[Path, int | None]

# A fragment bomb could name millions of removed paths; the first ones say enough.
MAX_AUTHZ_ERRORS = 100


@dataclass(frozen=True, slots=True)
class Grant:
    """What the caller holds, as far as authorization is concerned."""

    authenticated: bool
    scopes: frozenset[str] = frozenset()
    policies: frozenset[str] = frozenset()

    @classmethod
    def of(cls, claims: Claims | None, policies: Iterable[str] = ()) -> Grant:
        if claims is None:
            return cls(False, frozenset(), frozenset(policies))
        return cls(True, claims.scopes, frozenset(policies))


def _response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _cap(removed: list[Removed]) -> list[Removed]:
    return removed if len(removed) <= MAX_AUTHZ_ERRORS else removed[:MAX_AUTHZ_ERRORS]


def _nullable_segments(type_: GraphQLOutputType) -> list[bool]:
    """Nullability of the field itself, then of each list level's items."""
    flags: list[bool] = []
    current: object = type_
    while True:
        nullable = not isinstance(current, GraphQLNonNull)
        if not nullable:
            current = current.of_type  # type: ignore[attr-defined]
        flags.append(nullable)
        if not isinstance(current, GraphQLList):
            return flags
        current = current.of_type


def _under(prefix: Path, flags: list[bool], removed: list[Removed]) -> list[Removed]:
    """Entries relative to a field's selection, made relative to the field's parent."""
    result: list[Removed] = []
    for path, fill in removed:
        if fill is not None:
            if fill > 0:
                fill += len(prefix)
            else:
                # Propagate: the deepest nullable position of the prefix takes the null.
                fill = max((index + 1 for index, nullable in enumerate(flags) if nullable), default=0)
        result.append((prefix + path, fill))
    return result


def _unplaced(removed: list[Removed]) -> list[Removed]:
    return [(path, None) for path, _ in removed]


class SelectionWalker:
    """One filtering pass of one operation for one grant (or a policy-collecting pass)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        requirements: AuthorizationRequirements,
        grant: Grant,
        fragments: Mapping[str, FragmentDefinitionNode],
        *,
        collect_policies: bool = False,
    ) -> None:
        self._schema = schema
        self._requirements = requirements
        self._grant = grant
        self._fragments = fragments
        self._collect = collect_policies
        self.policies: set[str] = set()
        self._types: dict[str, bool] = {}
        self._fields: dict[tuple[str, str], bool] = {}
        self.filtered_fragments: dict[str, tuple[SelectionSetNode | None, list[Removed]]] = {}

    def _allows(self, requirement: Requirement | None) -> bool:
        if requirement is None:
            return True
        if self._collect:
            self.policies.update(requirement.policy_names())
            return True
        grant = self._grant
        return satisfied(
            requirement, authenticated=grant.authenticated, scopes=grant.scopes, policies=grant.policies
        )

    def type_ok(self, name: str) -> bool:
        verdict = self._types.get(name)
        if verdict is None:
            verdict = self._types[name] = self._allows(self._requirements.types.get(name))
        return verdict

    def field_ok(self, parent: GraphQLNamedType, name: str, definition: GraphQLField) -> bool:
        key = (parent.name, name)
        verdict = self._fields.get(key)
        if verdict is None:
            fields = self._requirements.fields
            verdict = (
                self.type_ok(parent.name)
                and self._allows(fields.get(key))
                and self.type_ok(get_named_type(definition.type).name)
            )
            if verdict and isinstance(parent, GraphQLInterfaceType):
                for implementation in self._schema.get_possible_types(parent):
                    if name in implementation.fields and not self._allows(
                        fields.get((implementation.name, name))
                    ):
                        verdict = False
                        break
            self._fields[key] = verdict
        return verdict

    def _keys(self, node: SelectionSetNode, seen: set[str] | None = None) -> list[Removed]:
        """Response keys selected directly by `node` (through fragments): what a removed
        fragment takes away."""
        seen = set() if seen is None else seen
        keys: list[Removed] = []
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                if (
                    selection.name.value != "__typename"
                    and (key := ((_response_key(selection),), None)) not in keys
                ):
                    keys.append(key)
            elif isinstance(selection, InlineFragmentNode):
                keys.extend(k for k in self._keys(selection.selection_set, seen) if k not in keys)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = self._fragments.get(selection.name.value)
                if fragment is not None:
                    keys.extend(k for k in self._keys(fragment.selection_set, seen) if k not in keys)
        return keys

    def fragment(self, name: str) -> tuple[SelectionSetNode | None, list[Removed]]:
        cached = self.filtered_fragments.get(name)
        if cached is None:
            definition = self._fragments[name]
            condition = self._schema.get_type(definition.type_condition.name.value)
            if condition is None or not self.type_ok(condition.name):
                cached = (None, _cap(self._keys(definition.selection_set)))
            else:
                cached = self.selection_set(definition.selection_set, condition)
            self.filtered_fragments[name] = cached
        return cached

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLNamedType
    ) -> tuple[SelectionSetNode | None, list[Removed]]:
        """The filtered selection set (the same node when untouched; None when emptied) and
        the removed paths, relative to `node`."""
        kept: list[SelectionNode] = []
        removed: list[Removed] = []
        changed = False
        for selection in node.selections:
            result: SelectionNode | None = selection
            if isinstance(selection, FieldNode):
                result = self._field(selection, parent, removed)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self._schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                if condition is None or not self.type_ok(condition.name):
                    removed.extend(self._keys(selection.selection_set))
                    result = None
                else:
                    inner, paths = self.selection_set(selection.selection_set, condition)
                    removed.extend(paths if condition is parent else _unplaced(paths))
                    if inner is None:
                        result = None
                    elif inner is not selection.selection_set:
                        result = InlineFragmentNode(
                            type_condition=selection.type_condition,
                            directives=selection.directives,
                            selection_set=inner,
                        )
            elif isinstance(selection, FragmentSpreadNode):
                inner, paths = self.fragment(selection.name.value)
                definition = self._fragments[selection.name.value]
                narrowing = definition.type_condition.name.value != parent.name
                removed.extend(_unplaced(paths) if narrowing else paths)
                if inner is None:
                    result = None
            if result is not selection:
                changed = True
            if result is not None:
                kept.append(result)
            removed = _cap(removed)
        if not changed:
            return node, removed
        return (SelectionSetNode(selections=tuple(kept)) if kept else None), removed

    def _field(self, node: FieldNode, parent: GraphQLNamedType, removed: list[Removed]) -> FieldNode | None:
        name = node.name.value
        if name.startswith("__"):
            return node  # __typename (and introspection, governed by its own stage)
        definition = (
            parent.fields.get(name) if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else None
        )
        if definition is None:
            return node  # cannot happen after validation; leave it to the engine
        key = _response_key(node)
        if not self.field_ok(parent, name, definition):
            removed.append(((key,), 0 if isinstance(definition.type, GraphQLNonNull) else 1))
            return None
        if node.selection_set is None:
            return node
        flags = _nullable_segments(definition.type)
        # One `@` per list level, as Apollo Router writes paths it cannot index yet.
        prefix = (key, *("@",) * (len(flags) - 1))
        inner, paths = self.selection_set(node.selection_set, get_named_type(definition.type))
        if inner is None:
            # Emptied: the field itself goes, so the null belongs at the field (or above).
            removed.extend((prefix + path, 1 if flags[0] else 0) for path, _ in paths)
            return None
        removed.extend(_under(prefix, flags, paths))
        if inner is node.selection_set:
            return node
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=inner,
        )
