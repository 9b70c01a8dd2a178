"""Cache hints and the cache policy of an operation (Apollo's cache-control semantics).

Hints come from `@cacheControl(maxAge:, scope:, inheritMaxAge:)` in the supergraph SDL and
from router.yaml (`types`, `fields`; config wins). Rules, as Apollo Server applies them:
- a field's hint is its own (field coordinate), else its return type's;
- a root field, or a field returning an object/interface/union, without a hint makes the
  operation uncacheable (maxAge 0); a leaf field without a hint inherits its parent's;
- the operation's maxAge is the smallest of all hints, its scope PRIVATE if any hint is;
- `__schema`/`__type` are never cached; `__typename` is free.
The policy also lists every composite type the response may contain: cache entries are
tagged with them, so a mutation returning T purges the entries that hold a T.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    EnumValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLCompositeType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SelectionSetNode,
    UnionTypeDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    parse,
    print_schema,
)

from router.caching.config import ResponseCacheConfig

__all__ = ["CacheHint", "CachePolicy", "SchemaHints", "hints_from_sdl"]

Scope = Literal["PUBLIC", "PRIVATE"]
_POLICY_CACHE_SIZE = 4096
_NOT_CACHEABLE = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class CacheHint:
    max_age: int | None  # None: inheritMaxAge (the parent's policy applies)
    scope: Scope = "PUBLIC"


@dataclass(frozen=True, slots=True)
class CachePolicy:
    max_age: int
    scope: Scope
    types: frozenset[str]


def _directive_hint(directives: Iterable[DirectiveNode]) -> CacheHint | None:
    for directive in directives:
        if directive.name.value != "cacheControl":
            continue
        max_age: int | None = 0
        scope: Scope = "PUBLIC"
        inherit = False
        for argument in directive.arguments or ():
            value = argument.value
            if argument.name.value == "maxAge" and isinstance(value, IntValueNode):
                max_age = int(value.value)
            elif argument.name.value == "scope" and isinstance(value, EnumValueNode):
                scope = "PRIVATE" if value.value == "PRIVATE" else "PUBLIC"
            elif argument.name.value == "inheritMaxAge" and isinstance(value, BooleanValueNode):
                inherit = value.value
        return CacheHint(None if inherit else max_age, scope)
    return None


def hints_from_sdl(sdl: str) -> tuple[dict[str, CacheHint], dict[tuple[str, str], CacheHint]]:
    """(type hints, field hints) declared with @cacheControl in an SDL."""
    types: dict[str, CacheHint] = {}
    fields: dict[tuple[str, str], CacheHint] = {}
    if "cacheControl" not in sdl:
        return types, fields
    typed = (
        ObjectTypeDefinitionNode,
        ObjectTypeExtensionNode,
        InterfaceTypeDefinitionNode,
        InterfaceTypeExtensionNode,
        UnionTypeDefinitionNode,
    )
    for definition in parse(sdl, no_location=True).definitions:
        if not isinstance(definition, typed):
            continue
        name = definition.name.value
        hint = _directive_hint(definition.directives or ())
        if hint is not None:
            types[name] = hint
        for field in getattr(definition, "fields", None) or ():
            field_hint = _directive_hint(field.directives or ())
            if field_hint is not None:
                fields[(name, field.name.value)] = field_hint
    return types, fields


class _Walk:
    __slots__ = ("cacheable", "fragments", "max_age", "private", "schema", "types")

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.max_age: int | None = None
        self.private = False
        self.cacheable = True
        self.types: set[str] = set()

    def note_type(self, type_: GraphQLCompositeType) -> None:
        self.types.add(type_.name)
        if is_abstract_type(type_):
            assert isinstance(type_, GraphQLAbstractType)
            self.types.update(t.name for t in self.schema.get_possible_types(type_))


class SchemaHints:
    """Hints of one API schema (one engine); computes and caches operation policies."""

    def __init__(self, schema: GraphQLSchema, config: ResponseCacheConfig, sdl: str | None = None) -> None:
        self._schema = schema
        types: dict[str, CacheHint] = {}
        fields: dict[tuple[str, str], CacheHint] = {}
        if sdl is not None and config.use_schema_directives:
            types, fields = hints_from_sdl(sdl)
        types.update({name: CacheHint(h.max_age, h.scope) for name, h in config.types.items()})
        for coordinate, hint in config.fields.items():
            type_name, field_name = coordinate.split(".")
            fields[(type_name, field_name)] = CacheHint(hint.max_age, hint.scope)
        self._types = types
        self._fields = fields
        # Apollo Router keys its caches by schema id too: after a hot reload no entry made under
        # the old supergraph (other fields, other authorization) may answer for the new one.
        source = sdl if sdl is not None else print_schema(schema)
        self.schema_id = hashlib.sha256(source.encode()).hexdigest()
        self._policies: OrderedDict[tuple[str, str | None], CachePolicy | None] = OrderedDict()

    def policy(self, prepared: Any) -> CachePolicy | None:
        """The policy of a prepared query operation; None when it is not cacheable."""
        key = (prepared.document_hash, prepared.operation_name)
        if key in self._policies:
            return self._policies[key]
        policy = self._compute(prepared)
        self._policies[key] = policy
        if len(self._policies) > _POLICY_CACHE_SIZE:
            self._policies.popitem(last=False)
        return policy

    def mutation_types(self, prepared: Any) -> frozenset[str]:
        """Types a mutation returns (root fields' named types, abstract ones expanded)."""
        root = self._schema.mutation_type
        if root is None:
            return frozenset()
        walk = _Walk(self._schema, getattr(prepared, "fragments", {}) or {})
        for field, parent in self._fields_of(root, prepared.operation.selection_set, walk):
            definition = (
                parent.fields.get(field.name.value) if isinstance(parent, GraphQLObjectType) else None
            )
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if is_composite_type(named):
                walk.note_type(named)  # type: ignore[arg-type]
        return frozenset(walk.types)

    def _fields_of(
        self, parent: GraphQLCompositeType, selection_set: SelectionSetNode, walk: _Walk
    ) -> Iterable[tuple[FieldNode, GraphQLCompositeType]]:
        """The fields of a selection set with the type each is selected on (fragments expanded)."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    found = self._schema.get_type(selection.type_condition.name.value)
                    if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) or is_composite_type(
                        found
                    ):
                        condition = found  # type: ignore[assignment]
                        walk.note_type(condition)
                yield from self._fields_of(condition, selection.selection_set, walk)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = walk.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                found = self._schema.get_type(fragment.type_condition.name.value)
                condition = found if is_composite_type(found) else parent  # type: ignore[assignment]
                walk.note_type(condition)
                yield from self._fields_of(condition, fragment.selection_set, walk)

    def _compute(self, prepared: Any) -> CachePolicy | None:
        if prepared.operation_type != "query":
            return None
        root = self._schema.query_type
        if root is None:
            return None
        walk = _Walk(self._schema, getattr(prepared, "fragments", {}) or {})
        self._visit(root, prepared.operation.selection_set, walk, is_root=True)
        if not walk.cacheable or walk.max_age is None or walk.max_age <= 0:
            return None
        return CachePolicy(walk.max_age, "PRIVATE" if walk.private else "PUBLIC", frozenset(walk.types))

    def _visit(
        self, parent: GraphQLCompositeType, selection_set: SelectionSetNode, walk: _Walk, *, is_root: bool
    ) -> None:
        for field, owner in self._fields_of(parent, selection_set, walk):
            if not walk.cacheable:
                return
            name = field.name.value
            if name == "__typename":
                continue
            if name in _NOT_CACHEABLE:
                walk.cacheable = False
                return
            definition = getattr(owner, "fields", {}).get(name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            composite = is_composite_type(named)
            hint = self._fields.get((owner.name, name))
            if hint is None:
                hint = self._types.get(named.name)
            if hint is None:
                if composite or is_root:
                    walk.cacheable = False
                    return
            elif hint.max_age is not None:
                walk.max_age = hint.max_age if walk.max_age is None else min(walk.max_age, hint.max_age)
                walk.private = walk.private or hint.scope == "PRIVATE"
            if composite and field.selection_set is not None:
                walk.note_type(named)  # type: ignore[arg-type]
                self._visit(named, field.selection_set, walk, is_root=False)  # type: ignore[arg-type]
