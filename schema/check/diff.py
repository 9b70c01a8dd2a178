"""Classify every change between two API schemas as breaking, dangerous or safe.

The rules follow graphql-js `findBreakingChanges`/`findDangerousChanges` (GraphQL spec §3 type
system: output positions are covariant, input positions contravariant), extended with safe
changes and a schema coordinate (`Type.field(arg:)`, `Enum.VALUE`) on each change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    Undefined,
    ast_from_value,
    is_specified_scalar_type,
    print_ast,
)
from graphql.type.introspection import introspection_types

__all__ = ["Change", "Severity", "diff_schemas"]

Severity = Literal["breaking", "dangerous", "safe"]
_SEVERITY_ORDER = {"breaking": 0, "dangerous": 1, "safe": 2}


@dataclass(frozen=True)
class Change:
    code: str
    severity: Severity
    coordinate: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "coordinate": self.coordinate,
            "message": self.message,
        }


def _kind(named: GraphQLNamedType) -> str:
    for kind, cls in (
        ("object", GraphQLObjectType),
        ("interface", GraphQLInterfaceType),
        ("union", GraphQLUnionType),
        ("enum", GraphQLEnumType),
        ("input object", GraphQLInputObjectType),
    ):
        if isinstance(named, cls):
            return kind
    return "scalar"


def _safe_output_change(old: GraphQLType, new: GraphQLType) -> bool:
    """A client reading `new` where it read `old` sees nothing unexpected (new ⊆ old)."""
    if isinstance(old, GraphQLNonNull):
        return isinstance(new, GraphQLNonNull) and _safe_output_change(old.of_type, new.of_type)
    if isinstance(new, GraphQLNonNull):
        return _safe_output_change(old, new.of_type)
    if isinstance(old, GraphQLList):
        return isinstance(new, GraphQLList) and _safe_output_change(old.of_type, new.of_type)
    if isinstance(new, GraphQLList):
        return False
    return getattr(old, "name", None) == getattr(new, "name", None)


def _safe_input_change(old: GraphQLType, new: GraphQLType) -> bool:
    """Every value a client sent for `old` is still valid for `new` (old ⊆ new)."""
    if isinstance(new, GraphQLNonNull):
        return isinstance(old, GraphQLNonNull) and _safe_input_change(old.of_type, new.of_type)
    if isinstance(old, GraphQLNonNull):
        return _safe_input_change(old.of_type, new)
    if isinstance(new, GraphQLList):
        return isinstance(old, GraphQLList) and _safe_input_change(old.of_type, new.of_type)
    if isinstance(old, GraphQLList):
        return False
    return getattr(old, "name", None) == getattr(new, "name", None)


def _default(value: GraphQLArgument | GraphQLInputField) -> str | None:
    if value.default_value is Undefined:
        node = getattr(value, "ast_node", None)
        default = getattr(node, "default_value", None) if node is not None else None
        return print_ast(default) if default is not None else None
    printed = ast_from_value(value.default_value, value.type)
    return print_ast(printed) if printed is not None else None


def _required(value: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(value.type, GraphQLNonNull) and _default(value) is None


class _Differ:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, code: str, severity: Severity, coordinate: str, message: str) -> None:
        self.changes.append(Change(code, severity, coordinate, message))

    def schemas(self, old: GraphQLSchema, new: GraphQLSchema) -> None:
        old_types = _user_types(old)
        new_types = _user_types(new)
        for name, old_type in old_types.items():
            new_type = new_types.get(name)
            if new_type is None:
                self.add("TYPE_REMOVED", "breaking", name, f"{_kind(old_type)} {name} was removed")
            elif _kind(old_type) != _kind(new_type):
                self.add(
                    "TYPE_KIND_CHANGED",
                    "breaking",
                    name,
                    f"{name} changed from {_kind(old_type)} to {_kind(new_type)}",
                )
            else:
                self.named(old_type, new_type)
        for name, new_type in new_types.items():
            if name not in old_types:
                self.add("TYPE_ADDED", "safe", name, f"{_kind(new_type)} {name} was added")

    def named(self, old: GraphQLNamedType, new: GraphQLNamedType) -> None:
        if isinstance(old, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(new, GraphQLObjectType | GraphQLInterfaceType)
            self.fields(old, new)
            self.interfaces(old, new)
        elif isinstance(old, GraphQLUnionType):
            assert isinstance(new, GraphQLUnionType)
            self.union(old, new)
        elif isinstance(old, GraphQLEnumType):
            assert isinstance(new, GraphQLEnumType)
            self.enum(old, new)
        elif isinstance(old, GraphQLInputObjectType):
            assert isinstance(new, GraphQLInputObjectType)
            self.input_object(old, new)

    def fields(
        self, old: GraphQLObjectType | GraphQLInterfaceType, new: GraphQLObjectType | GraphQLInterfaceType
    ) -> None:
        for name, old_field in old.fields.items():
            coordinate = f"{old.name}.{name}"
            new_field = new.fields.get(name)
            if new_field is None:
                deprecated = " (it was deprecated)" if old_field.deprecation_reason else ""
                self.add(
                    "FIELD_REMOVED", "breaking", coordinate, f"field {coordinate} was removed{deprecated}"
                )
                continue
            if str(old_field.type) != str(new_field.type):
                if _safe_output_change(old_field.type, new_field.type):
                    self.add(
                        "FIELD_TYPE_NARROWED",
                        "safe",
                        coordinate,
                        f"field {coordinate} changed type from {old_field.type} to {new_field.type}",
                    )
                else:
                    self.add(
                        "FIELD_TYPE_CHANGED",
                        "breaking",
                        coordinate,
                        f"field {coordinate} changed type from {old_field.type} to {new_field.type}",
                    )
            if not old_field.deprecation_reason and new_field.deprecation_reason:
                self.add(
                    "FIELD_DEPRECATED",
                    "safe",
                    coordinate,
                    f"field {coordinate} was deprecated: {new_field.deprecation_reason}",
                )
            self.arguments(coordinate, old_field.args, new_field.args)
        for name in new.fields:
            if name not in old.fields:
                self.add("FIELD_ADDED", "safe", f"{new.name}.{name}", f"field {new.name}.{name} was added")

    def arguments(self, owner: str, old: dict[str, GraphQLArgument], new: dict[str, GraphQLArgument]) -> None:
        for name, old_argument in old.items():
            coordinate = f"{owner}({name}:)"
            new_argument = new.get(name)
            if new_argument is None:
                self.add("ARGUMENT_REMOVED", "breaking", coordinate, f"argument {coordinate} was removed")
                continue
            self.input_value_type("ARGUMENT", coordinate, old_argument, new_argument)
        for name, new_argument in new.items():
            if name in old:
                continue
            coordinate = f"{owner}({name}:)"
            if _required(new_argument):
                self.add(
                    "REQUIRED_ARGUMENT_ADDED",
                    "breaking",
                    coordinate,
                    f"required argument {coordinate} ({new_argument.type}) was added",
                )
            else:
                self.add(
                    "OPTIONAL_ARGUMENT_ADDED", "safe", coordinate, f"optional argument {coordinate} was added"
                )

    def input_value_type(
        self,
        what: str,
        coordinate: str,
        old: GraphQLArgument | GraphQLInputField,
        new: GraphQLArgument | GraphQLInputField,
    ) -> None:
        label = what.lower().replace("_", " ")
        if str(old.type) != str(new.type):
            widened = _safe_input_change(old.type, new.type)
            self.add(
                f"{what}_TYPE_WIDENED" if widened else f"{what}_TYPE_CHANGED",
                "safe" if widened else "breaking",
                coordinate,
                f"{label} {coordinate} changed type from {old.type} to {new.type}",
            )
        old_default, new_default = _default(old), _default(new)
        if old_default != new_default:
            self.add(
                f"{what}_DEFAULT_CHANGED",
                "dangerous",
                coordinate,
                f"{label} {coordinate} default changed from {old_default or 'none'} to {new_default or 'none'}",
            )

    def interfaces(
        self, old: GraphQLObjectType | GraphQLInterfaceType, new: GraphQLObjectType | GraphQLInterfaceType
    ) -> None:
        self.members(
            old.name,
            {i.name for i in old.interfaces},
            {i.name for i in new.interfaces},
            removed=("IMPLEMENTATION_REMOVED", "{owner} no longer implements {name}"),
            added=("IMPLEMENTATION_ADDED", "{owner} now implements {name}"),
        )

    def union(self, old: GraphQLUnionType, new: GraphQLUnionType) -> None:
        self.members(
            old.name,
            {t.name for t in old.types},
            {t.name for t in new.types},
            removed=("UNION_MEMBER_REMOVED", "{name} was removed from union {owner}"),
            added=("UNION_MEMBER_ADDED", "{name} was added to union {owner}"),
        )

    def members(
        self, owner: str, old: set[str], new: set[str], *, removed: tuple[str, str], added: tuple[str, str]
    ) -> None:
        """A type's list of implemented interfaces or union members: a name that left breaks
        clients relying on it; a new one is dangerous (clients may not handle it)."""
        for name in sorted(old - new):
            self.add(removed[0], "breaking", owner, removed[1].format(owner=owner, name=name))
        for name in sorted(new - old):
            self.add(added[0], "dangerous", owner, added[1].format(owner=owner, name=name))

    def enum(self, old: GraphQLEnumType, new: GraphQLEnumType) -> None:
        for name in old.values:
            if name not in new.values:
                self.add(
                    "ENUM_VALUE_REMOVED",
                    "breaking",
                    f"{old.name}.{name}",
                    f"value {old.name}.{name} was removed",
                )
        for name in new.values:
            if name not in old.values:
                # Clients switching exhaustively over the enum meet a value they do not know.
                self.add(
                    "ENUM_VALUE_ADDED",
                    "dangerous",
                    f"{old.name}.{name}",
                    f"value {old.name}.{name} was added",
                )

    def input_object(self, old: GraphQLInputObjectType, new: GraphQLInputObjectType) -> None:
        for name, old_field in old.fields.items():
            coordinate = f"{old.name}.{name}"
            new_field = new.fields.get(name)
            if new_field is None:
                self.add(
                    "INPUT_FIELD_REMOVED", "breaking", coordinate, f"input field {coordinate} was removed"
                )
                continue
            self.input_value_type("INPUT_FIELD", coordinate, old_field, new_field)
        for name, new_field in new.fields.items():
            if name in old.fields:
                continue
            coordinate = f"{new.name}.{name}"
            if _required(new_field):
                self.add(
                    "REQUIRED_INPUT_FIELD_ADDED",
                    "breaking",
                    coordinate,
                    f"required input field {coordinate} was added",
                )
            else:
                self.add(
                    "OPTIONAL_INPUT_FIELD_ADDED",
                    "safe",
                    coordinate,
                    f"optional input field {coordinate} was added",
                )


def _user_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {
        name: named
        for name, named in schema.type_map.items()
        if name not in introspection_types and not is_specified_scalar_type(named)
    }


def diff_schemas(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """Every change from `old` to `new`, breaking first, then dangerous, then safe."""
    differ = _Differ()
    differ.schemas(old, new)
    return sorted(differ.changes, key=lambda c: (_SEVERITY_ORDER[c.severity], c.coordinate, c.code))
