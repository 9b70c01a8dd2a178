"""Final projection of merged subgraph data onto the client's operation (GraphQL spec §6.3-6.4).

Walks the client operation over the API schema: field collection with fragments, type
conditions resolved by the object's `__typename`, `@skip`/`@include` with the request's
variables, aliases, `__typename` from the runtime type, leaf values coerced to the
supergraph's types, fields the planner added dropped, and null propagation (§6.4.4): a null in
a non-null position nulls the nearest nullable parent, and `data` itself if none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    SelectionSetNode,
)

from router.executor.errors import error
from router.executor.field_collection import CacheId, FieldCollectionCache, FieldCollector, FieldPlan, Runtime
from router.executor.leaves import ANY, BUILTIN_SCALARS, INVALID, PASSTHROUGH, coerce_builtin, show

__all__ = ["FieldCollectionCache", "Projector"]

# Kinds of a field plan entry, checked in this order in the hot loop of `_complete_object`.
_TYPENAME, _SCALAR, _ENUM, _OBJECT, _OTHER = 0, 1, 2, 3, 4
_ROOT_KEY = 0
_Path = tuple[Any, ...] | None  # linked list (parent, key): cheap to extend, built only on error


def _path_list(path: _Path) -> list[str | int]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


class Projector(FieldCollector):
    """One projection of one response; not reused across requests."""

    __slots__ = ("_covered", "_errors", "_exact", "_pathless")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        errors: list[dict[str, Any]],
        cache: FieldCollectionCache,
    ) -> None:
        super().__init__(schema, fragments, variables, cache)
        self._errors = errors
        self._covered: set[tuple[Any, ...]] | None = None
        self._exact: set[tuple[Any, ...]] = set()
        self._pathless = False

    def root_fields(
        self, root_type: GraphQLObjectType, selection_set: SelectionSetNode
    ) -> dict[str, list[FieldNode]]:
        return self._collect_fields(root_type, [selection_set], _ROOT_KEY)

    def project_root(
        self,
        root_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        data: dict[str, Any],
        local_values: Mapping[str, Any],
    ) -> dict[str, Any] | None:
        fields = self._collect_fields(root_type, [selection_set], _ROOT_KEY)
        out: dict[str, Any] = {}
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                out[key] = root_type.name
                continue
            if key in local_values:
                out[key] = local_values[key]
                continue
            field_def = root_type.fields.get(name)
            if field_def is None:
                continue
            completed = self._complete(
                field_def.type, nodes, data.get(key), (None, key), root_type.name, name
            )
            if completed is INVALID:
                return None
            out[key] = completed
        return out

    # -- values ---------------------------------------------------------------------------

    def _complete(
        self,
        return_type: GraphQLOutputType,
        nodes: list[FieldNode],
        value: Any,
        path: _Path,
        parent_name: str,
        field_name: str,
    ) -> Any:
        if isinstance(return_type, GraphQLNonNull):
            completed = self._complete(return_type.of_type, nodes, value, path, parent_name, field_name)
            if completed is None:
                self._null_violation(path, parent_name, field_name)
                return INVALID
            return completed
        if value is None:
            return None
        if isinstance(return_type, GraphQLList):
            if not isinstance(value, list):
                self._add_error(f"Expected a list for field {parent_name}.{field_name}", path)
                return None
            item_type = return_type.of_type
            item_non_null = item_type.__class__ is GraphQLNonNull
            named = item_type.of_type if item_non_null else item_type  # type: ignore[attr-defined]
            direct = named.__class__ is GraphQLObjectType
            items: list[Any] = []
            for index, item in enumerate(value):
                if direct and item.__class__ is dict:
                    # Lists of objects are the bulk of large responses: skip the generic descent.
                    completed = self._complete_object(named, nodes, item, (path, index))
                    if completed is None and item_non_null:
                        self._null_violation((path, index), parent_name, field_name)
                        return None
                else:
                    completed = self._complete(item_type, nodes, item, (path, index), parent_name, field_name)
                    if completed is INVALID:
                        return None
                items.append(completed)
            return items
        if isinstance(return_type, GraphQLScalarType):
            return self._scalar(return_type, value, path)
        if isinstance(return_type, GraphQLEnumType):
            if isinstance(value, str) and value in return_type.values:
                return value
            # A value the API schema hides (@inaccessible, or known to one subgraph only) is not
            # the client's business: it reads as null, like Apollo Router and Hive Gateway do,
            # and only a non-null position turns that into an error.
            return None
        if not isinstance(value, dict):
            self._add_error(f"Expected an object for field {parent_name}.{field_name}", path)
            return None
        runtime_type: Runtime | None
        if isinstance(return_type, GraphQLObjectType):
            runtime_type = return_type
        else:
            runtime_type = self._runtime_type(return_type, value)
            if runtime_type is None:
                return None
        return self._complete_object(runtime_type, nodes, value, path)

    def _complete_object(
        self, runtime_type: Runtime, nodes: list[FieldNode], value: dict[str, Any], path: _Path
    ) -> dict[str, Any] | None:
        cache_id: CacheId = id(nodes[0]) if len(nodes) == 1 else tuple(id(node) for node in nodes)
        by_type = self._cache.plans.get(cache_id)
        plans = by_type.get(runtime_type.name) if by_type is not None else None
        if plans is None:
            plans = self._field_plans(runtime_type, nodes, cache_id)
        out: dict[str, Any] = {}
        get = value.get
        for key, kind, field_type, inner, expected, field_nodes, name in plans:
            if kind == _TYPENAME:
                out[key] = runtime_type.name
                continue
            field_value = get(key)
            if field_value is not None:
                # Fast path for leaves already in their serialized form (the common case).
                if kind == _SCALAR:
                    if expected is ANY or field_value.__class__ is expected:
                        out[key] = field_value
                        continue
                elif kind == _ENUM:
                    if field_value.__class__ is str and field_value in inner.values:
                        out[key] = field_value
                        continue
                elif kind == _OBJECT and field_value.__class__ is dict:
                    # A field of an object type (`expected`: whether it is non-null): what
                    # `_complete` would do, without its generic type dispatch.
                    completed = self._complete_object(inner, field_nodes, field_value, (path, key))
                    if completed is None and expected:
                        self._null_violation((path, key), runtime_type.name, name)
                        return None
                    out[key] = completed
                    continue
            completed = self._complete(
                field_type, field_nodes, field_value, (path, key), runtime_type.name, name
            )
            if completed is INVALID:
                return None
            out[key] = completed
        return out

    def _field_plans(
        self, runtime_type: Runtime, nodes: list[FieldNode], cache_id: CacheId
    ) -> tuple[FieldPlan, ...]:
        selection_sets = [node.selection_set for node in nodes if node.selection_set is not None]
        fields: dict[str, list[FieldNode]] = {}
        conditional = False
        for selection_set in selection_sets:
            conditional |= self._collect_into(runtime_type, selection_set, fields, set())
        plans: list[FieldPlan] = []
        type_fields = runtime_type.fields
        for key, field_nodes in fields.items():
            name = field_nodes[0].name.value
            if name == "__typename":
                plans.append((key, _TYPENAME, None, None, None, field_nodes, name))
                continue
            field_def = type_fields.get(name)
            if field_def is None:
                continue
            inner = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
            if isinstance(inner, GraphQLScalarType):
                plans.append(
                    (
                        key,
                        _SCALAR,
                        field_def.type,
                        inner,
                        PASSTHROUGH.get(inner.name, ANY),
                        field_nodes,
                        name,
                    )
                )
            elif isinstance(inner, GraphQLEnumType):
                plans.append((key, _ENUM, field_def.type, inner, None, field_nodes, name))
            elif inner.__class__ is GraphQLObjectType:
                non_null = field_def.type.__class__ is GraphQLNonNull
                plans.append((key, _OBJECT, field_def.type, inner, non_null, field_nodes, name))
            else:
                plans.append((key, _OTHER, field_def.type, inner, None, field_nodes, name))
        result = tuple(plans)
        if not conditional:
            self._cache.plans.setdefault(cache_id, {})[runtime_type.name] = result
        return result

    def _runtime_type(self, abstract: Any, value: dict[str, Any]) -> Runtime | None:
        typename = value.get("__typename")
        candidate = self._schema.type_map.get(typename) if isinstance(typename, str) else None
        if isinstance(candidate, GraphQLObjectType) and self._schema.is_sub_type(abstract, candidate):
            return candidate
        if candidate is abstract and isinstance(abstract, GraphQLInterfaceType):
            # Served by an @interfaceObject graph, which names the interface itself: the planner
            # only lets that through when the selection needs no concrete type (no __typename,
            # no fragment on an implementation), so the interface's own fields are the answer.
            return abstract
        if typename is None:
            possible = self._schema.get_possible_types(abstract)
            if len(possible) == 1:  # no ambiguity: the only type it can be
                return possible[0]
        # An object whose type the API schema hides (@inaccessible) or a missing __typename: the
        # client cannot be told what it is, so the position becomes null.
        return None

    def _scalar(self, scalar: GraphQLScalarType, value: Any, path: _Path) -> Any:
        name = scalar.name
        coerced = coerce_builtin(name, value) if name in BUILTIN_SCALARS else value
        if coerced is INVALID:
            self._add_error(f"{name} cannot represent value: {show(value)}", path)
            return None
        return coerced

    # -- errors ----------------------------------------------------------------------------

    def _add_error(self, message: str, path: _Path) -> None:
        keys = _path_list(path)
        self._errors.append(error(message, code="INVALID_SUBGRAPH_VALUE", path=keys))
        self._remember(tuple(keys))

    def _null_violation(self, path: _Path, parent_name: str, field_name: str) -> None:
        keys = tuple(_path_list(path))
        if self._explained(keys):
            return
        message = f"Cannot return null for non-nullable field {parent_name}.{field_name}."
        self._errors.append(error(message, code="INVALID_SUBGRAPH_VALUE", path=list(keys)))
        self._remember(keys)

    def _explained(self, keys: tuple[Any, ...]) -> bool:
        """Whether an error already accounts for a null here (at, above or below this path)."""
        if self._covered is None:
            self._covered = set()
            for existing in self._errors:
                existing_path = existing.get("path")
                if isinstance(existing_path, list):
                    self._remember(tuple(existing_path))
                else:
                    self._pathless = True
        if self._pathless or keys in self._covered:
            return True
        return any(keys[:length] in self._exact for length in range(len(keys)))

    def _remember(self, keys: tuple[Any, ...]) -> None:
        if self._covered is None:
            self._explained(())
        assert self._covered is not None
        self._exact.add(keys)
        for length in range(len(keys) + 1):
            self._covered.add(keys[:length])
