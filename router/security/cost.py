"""Estimated cost of an operation (issue 4, request limits; rate limits by cost).

Weights come from the supergraph's demand-control directives where present — `@cost(weight:)`
and `@listSize(assumedSize:, slicingArguments:, sizedFields:)` of
https://specs.apollo.dev/cost/v0.1 (IBM GraphQL Cost Directives), linked and possibly renamed
like any spec (link v1.0: imported name, else `@cost` / `@cost__listSize`) — and from default
weights otherwise, as Apollo Router's demand control does:

- a field returning an object, interface or union costs 1 (a type's `@cost` replaces that),
  a scalar or enum field 0, a root mutation field 10; a field's own `@cost` replaces all of it;
- a list multiplies its element's cost (the field's weight plus its selections) by its size:
  the value of a slicing argument (literal or variable), else `assumedSize`, else the
  configured default list size; `sizedFields` moves that size onto the named child fields
  (connections: `edges`, `nodes`);
- an argument with `@cost` adds its weight when the operation sets it.

Fragments are costed at every spread (memoized: a fragment bomb is priced by what it expands
to, in time linear in the document). Selections under different type conditions are summed,
which over-estimates abstract types and never under-estimates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    parse,
)
from graphql.language import ConstValueNode, DirectiveNode, FloatValueNode, ObjectValueNode

__all__ = ["CostDirectives", "CostEstimator", "ListSize", "MUTATION_WEIGHT"]

MUTATION_WEIGHT = 10.0
_COST_SPEC = "cost"
_FIELD_OWNERS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


@dataclass(frozen=True, slots=True)
class ListSize:
    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CostDirectives:
    """`@cost` / `@listSize` of one supergraph, by schema coordinate."""

    type_weights: dict[str, float] = field(default_factory=dict)
    field_weights: dict[tuple[str, str], float] = field(default_factory=dict)
    # (type, field, argument)
    argument_weights: dict[tuple[str, str, str], float] = field(default_factory=dict)
    list_sizes: dict[tuple[str, str], ListSize] = field(default_factory=dict)

    @classmethod
    def from_sdl(cls, sdl: str | DocumentNode) -> CostDirectives:
        document = parse(sdl, no_location=True) if isinstance(sdl, str) else sdl
        cost_name, list_size_name = _local_names(document)
        found = cls()
        for definition in document.definitions:
            name = getattr(getattr(definition, "name", None), "value", None)
            if name is None:
                continue
            weight = _weight(getattr(definition, "directives", None) or (), cost_name)
            if weight is not None:
                found.type_weights[name] = weight
            if not isinstance(definition, _FIELD_OWNERS):
                continue
            for field_node in definition.fields or ():
                key = (name, field_node.name.value)
                weight = _weight(field_node.directives or (), cost_name)
                if weight is not None:
                    found.field_weights[key] = weight
                for directive in field_node.directives or ():
                    if directive.name.value == list_size_name:
                        found.list_sizes[key] = _list_size(directive)
                for argument in field_node.arguments or ():
                    weight = _weight(argument.directives or (), cost_name)
                    if weight is not None:
                        found.argument_weights[(*key, argument.name.value)] = weight
        return found


def _argument(directive: DirectiveNode, name: str) -> ConstValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value  # type: ignore[return-value]
    return None


def _local_names(document: DocumentNode) -> tuple[str, str]:
    """Local names of @cost and @listSize (link v1.0); the bare names without a cost link."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            url = _argument(directive, "url")
            if directive.name.value != "link" or not isinstance(url, StringValueNode):
                continue
            parts = [part for part in url.value.split("?", 1)[0].split("/") if part]
            if len(parts) < 2 or parts[-2] != _COST_SPEC or not parts[-1].startswith("v"):
                continue
            alias = _argument(directive, "as")
            namespace = alias.value if isinstance(alias, StringValueNode) else _COST_SPEC
            imports = _imports(_argument(directive, "import"))
            return (
                imports.get("@cost", namespace).lstrip("@"),
                imports.get("@listSize", f"{namespace}__listSize").lstrip("@"),
            )
    return "cost", "listSize"


def _imports(value: ConstValueNode | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in value.values if isinstance(value, ListValueNode) else ():
        if isinstance(item, StringValueNode):
            result[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            entries = {
                entry.name.value: entry.value.value
                for entry in item.fields
                if isinstance(entry.value, StringValueNode)
            }
            if "name" in entries:
                result[entries["name"]] = entries.get("as", entries["name"])
    return result


def _number(value: ValueNode | None) -> float | None:
    if isinstance(value, IntValueNode | FloatValueNode):
        return float(value.value)
    if isinstance(value, StringValueNode):  # the IBM spec types `weight` as a String
        try:
            return float(value.value)
        except ValueError:
            return None
    return None


def _weight(directives: Iterable[DirectiveNode], cost_name: str) -> float | None:
    for directive in directives:
        if directive.name.value == cost_name:
            return _number(_argument(directive, "weight"))
    return None


def _strings(value: ValueNode | None) -> tuple[str, ...]:
    if isinstance(value, StringValueNode):
        return (value.value,)
    if isinstance(value, ListValueNode):
        return tuple(item.value for item in value.values if isinstance(item, StringValueNode))
    return ()


def _list_size(directive: DirectiveNode) -> ListSize:
    assumed = _number(_argument(directive, "assumedSize"))
    return ListSize(
        assumed_size=None if assumed is None else int(assumed),
        slicing_arguments=_strings(_argument(directive, "slicingArguments")),
        sized_fields=_strings(_argument(directive, "sizedFields")),
    )


def _is_list(type_: GraphQLOutputType) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class CostEstimator:
    """Prices operations against one API schema and its cost directives."""

    __slots__ = ("_default_list_size", "_directives", "_schema")

    def __init__(
        self, schema: GraphQLSchema, directives: CostDirectives, *, default_list_size: int = 10
    ) -> None:
        self._schema = schema
        self._directives = directives
        self._default_list_size = default_list_size

    def estimate(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None = None,
    ) -> float:
        root = self._schema.get_root_type(operation.operation)
        if root is None:
            return 0.0
        walk = _Walk(self, fragments, variables or {}, mutation=operation.operation.value == "mutation")
        return walk.selection_set(operation.selection_set, root, root_level=True)


class _Walk:
    """One estimate: the operation's variables and the fragment memo."""

    def __init__(
        self,
        estimator: CostEstimator,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        *,
        mutation: bool,
    ) -> None:
        self._schema = estimator._schema
        self._directives = estimator._directives
        self._default = estimator._default_list_size
        self._fragments = fragments
        self._variables = variables
        self._mutation = mutation
        self._memo: dict[tuple[str, str, int | None], float] = {}
        self._visiting: set[str] = set()

    def selection_set(
        self,
        node: SelectionSetNode,
        parent: GraphQLNamedType,
        *,
        root_level: bool = False,
        sized: tuple[tuple[str, ...], int] | None = None,
    ) -> float:
        total = 0.0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                size = sized[1] if sized is not None and selection.name.value in sized[0] else None
                total += self.field(selection, parent, root_level=root_level, inherited_size=size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self._schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(
                    selection.selection_set, target or parent, root_level=root_level, sized=sized
                )
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, parent, root_level, sized)
        return total

    def spread(
        self, name: str, parent: GraphQLNamedType, root_level: bool, sized: tuple[tuple[str, ...], int] | None
    ) -> float:
        fragment = self._fragments.get(name)
        if fragment is None or name in self._visiting:
            return 0.0  # unknown or cyclic spreads fail validation before any estimate
        target = self._schema.get_type(fragment.type_condition.name.value) or parent
        key = (name, parent.name, None if sized is None else hash(sized))
        if key not in self._memo:
            self._visiting.add(name)
            self._memo[key] = self.selection_set(
                fragment.selection_set, target, root_level=root_level, sized=sized
            )
            self._visiting.discard(name)
        return self._memo[key]

    def field(
        self, node: FieldNode, parent: GraphQLNamedType, *, root_level: bool, inherited_size: int | None
    ) -> float:
        fields = getattr(parent, "fields", None)
        definition = fields.get(node.name.value) if fields else None
        if definition is None:  # __typename and introspection meta-fields
            return 0.0
        key = (parent.name, node.name.value)
        named = get_named_type(definition.type)
        directives = self._directives
        weight = directives.field_weights.get(key)
        if weight is None and root_level and self._mutation and isinstance(parent, GraphQLObjectType):
            weight = MUTATION_WEIGHT
        if weight is None:
            weight = directives.type_weights.get(named.name)
        if weight is None:
            weight = 1.0 if is_composite_type(named) else 0.0
        cost = self.arguments(node.arguments or (), key)
        list_size = directives.list_sizes.get(key)
        multiplier = 1
        if inherited_size is not None:
            multiplier = inherited_size
        elif _is_list(definition.type) and not (list_size and list_size.sized_fields):
            multiplier = self.size(node, list_size)
        below = 0.0
        if node.selection_set is not None:
            sized = None
            if list_size is not None and list_size.sized_fields:
                sized = (list_size.sized_fields, self.size(node, list_size))
            below = self.selection_set(node.selection_set, named, sized=sized)
        return cost + multiplier * (weight + below)

    def size(self, node: FieldNode, list_size: ListSize | None) -> int:
        if list_size is not None:
            given = [
                value
                for argument in node.arguments or ()
                if argument.name.value in list_size.slicing_arguments
                and (value := self._int(argument.value)) is not None
            ]
            if given:
                return max(given)
            if list_size.assumed_size is not None:
                return list_size.assumed_size
        return self._default

    def _int(self, value: ValueNode) -> int | None:
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode):
            raw = self._variables.get(value.name.value)
            return max(0, raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
        return None

    def arguments(self, arguments: Iterable[ArgumentNode], key: tuple[str, str]) -> float:
        weights = self._directives.argument_weights
        if not weights:
            return 0.0
        return sum(weights.get((*key, argument.name.value), 0.0) for argument in arguments)
