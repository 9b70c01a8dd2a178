"""Field collection (GraphQL spec §6.3.2 CollectFields) for the final projection: fragments,
type conditions against the runtime type, `@skip`/`@include` with the request's variables, and
the per-operation cache of results that no directive made request-dependent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)

__all__ = ["CacheId", "FieldCollectionCache", "FieldCollector", "FieldPlan", "Runtime"]

# the type a value is projected against: its object type, or (from an @interfaceObject
# graph) the interface itself
Runtime = GraphQLObjectType | GraphQLInterfaceType
CacheId = int | tuple[int, ...]
# (response key, kind, field type, named inner type, passthrough class (scalars) or whether the
# field is non-null (objects), field nodes, field name)
FieldPlan = tuple[str, int, Any, Any, Any, list[FieldNode], str]


class FieldCollectionCache:
    """Per-operation caches of field collection (§6.3.2) when no @skip/@include is involved.

    Keyed by id() of the operation's field nodes per runtime type name, so it must live exactly
    as long as the operation it was filled for (the CompiledPlan holds both)."""

    __slots__ = ("collected", "plans")

    def __init__(self) -> None:
        self.collected: dict[CacheId, dict[str, dict[str, list[FieldNode]]]] = {}
        self.plans: dict[CacheId, dict[str, tuple[FieldPlan, ...]]] = {}


class FieldCollector:
    """Collects fields for one request (its fragments and variables); `Projector` extends it."""

    __slots__ = ("_cache", "_fragments", "_schema", "_variables")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        cache: FieldCollectionCache,
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._cache = cache

    def _collect_fields(
        self, runtime_type: Runtime, selection_sets: list[SelectionSetNode], cache_id: CacheId
    ) -> dict[str, list[FieldNode]]:
        by_type = self._cache.collected.get(cache_id)
        if by_type is not None:
            cached = by_type.get(runtime_type.name)
            if cached is not None:
                return cached
        fields: dict[str, list[FieldNode]] = {}
        conditional = False
        for selection_set in selection_sets:
            conditional |= self._collect_into(runtime_type, selection_set, fields, set())
        if not conditional:
            self._cache.collected.setdefault(cache_id, {})[runtime_type.name] = fields
        return fields

    def _collect_into(
        self,
        runtime_type: Runtime,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> bool:
        conditional = False
        for selection in selection_set.selections:
            if selection.directives:
                conditional = True
                if not self._included(selection):
                    continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                existing = fields.get(key)
                if existing is None:
                    fields[key] = [selection]
                else:
                    existing.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, runtime_type):
                    conditional |= self._collect_into(runtime_type, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, runtime_type):
                    conditional |= self._collect_into(runtime_type, fragment.selection_set, fields, visited)
        return conditional

    def _applies(self, condition: str, runtime_type: Runtime) -> bool:
        if condition == runtime_type.name:
            return True
        condition_type = self._schema.type_map.get(condition)
        return (
            condition_type is not None
            and is_abstract_type(condition_type)
            and self._schema.is_sub_type(
                condition_type,  # type: ignore[arg-type]
                runtime_type,
            )
        )

    def _included(self, selection: Any) -> bool:
        for directive in selection.directives:
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            flag = False
            for argument in directive.arguments:
                if argument.name.value == "if":
                    node = argument.value
                    if isinstance(node, BooleanValueNode):
                        flag = node.value
                    elif isinstance(node, VariableNode):
                        flag = self._variables.get(node.name.value) is True
            if (name == "skip") == flag:
                return False
        return True
