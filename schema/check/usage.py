"""Which schema coordinates known client operations use, to tell which breaking changes break them.

Operations come from a directory of trusted documents: `*.graphql` files (every operation in
them) and `*.json` manifests (Apollo's persisted-query manifest `{"operations": [{name, body}]}`
or a plain `{id: body}` map)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    ArgumentNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    NamedTypeNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    print_ast,
    visit,
)
from graphql.error import GraphQLSyntaxError

from schema.check.diff import Change

__all__ = ["Operation", "OperationUsage", "affected_operations", "load_operations", "operation_usage"]


@dataclass(frozen=True)
class Operation:
    name: str
    source: str
    document: str


@dataclass
class OperationUsage:
    name: str
    coordinates: set[str] = field(default_factory=set)


def _from_document(text: str, source: str, stem: str) -> list[Operation]:
    try:
        document = parse(text)
    except GraphQLSyntaxError as error:
        raise ValueError(f"{source}: {error.message}") from error
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) <= 1:
        name = operations[0].name.value if operations and operations[0].name else stem
        return [Operation(name, source, text)]
    # Several operations in one file: each is checked with the file's fragments.
    result = []
    for index, operation in enumerate(operations):
        name = operation.name.value if operation.name else f"{stem}#{index}"
        text_one = print_ast(DocumentNode(definitions=(operation, *fragments)))
        result.append(Operation(name, source, text_one))
    return result


def load_operations(directory: Path) -> list[Operation]:
    """Every distinct operation under `directory` (recursively), in file-name order.

    A manifest generated from the `.graphql` files holds the same operations again: an operation
    with the same name and the same document (ignoring layout) is listed once."""
    found = _load_all(directory)
    unique: dict[tuple[str, str], Operation] = {}
    for operation in found:
        unique.setdefault((operation.name, print_ast(parse(operation.document))), operation)
    return list(unique.values())


def _load_all(directory: Path) -> list[Operation]:
    operations: list[Operation] = []
    for path in sorted(directory.rglob("*")):
        if path.suffix in (".graphql", ".gql"):
            operations.extend(_from_document(path.read_text(encoding="utf-8"), str(path), path.stem))
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("operations"), list):
                for entry in data["operations"]:
                    body = entry.get("body")
                    if isinstance(body, str):
                        name = str(entry.get("name") or entry.get("id") or path.stem)
                        operations.extend(_from_document(body, f"{path}:{name}", name))
            elif isinstance(data, dict):
                for key, body in data.items():
                    if isinstance(body, str):
                        operations.extend(_from_document(body, f"{path}:{key}", key))
    return operations


def _input_coordinates(named: GraphQLType | None, into: set[str], seen: set[str]) -> None:
    """A variable of an input type may carry any of its fields and enum values."""
    target = get_named_type(named) if named is not None else None
    if target is None or target.name in seen:
        return
    seen.add(target.name)
    into.add(target.name)
    if isinstance(target, GraphQLEnumType):
        into.add(f"{target.name}.*")
    elif isinstance(target, GraphQLInputObjectType):
        into.add(f"{target.name}.*")
        for input_field in target.fields.values():
            _input_coordinates(input_field.type, into, seen)


class _Collector(Visitor):
    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo, used: set[str]) -> None:
        super().__init__()
        self.schema = schema
        self.type_info = type_info
        self.used = used

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        if parent is None or node.name.value.startswith("__"):
            return
        self.used.add(parent.name)
        self.used.add(f"{parent.name}.{node.name.value}")
        returned = get_named_type(self.type_info.get_type())
        if returned is not None:
            self.used.add(returned.name)
            if isinstance(returned, GraphQLEnumType):
                self.used.add(f"{returned.name}.*")

    def enter_argument(
        self, node: ArgumentNode, _key: object, _parent: object, _path: object, ancestors: list[object]
    ) -> None:
        # Variables are covered by their declared type (enter_named_type); literals field by field.
        owner = ancestors[-1] if ancestors else None
        parent = self.type_info.get_parent_type()
        if isinstance(owner, FieldNode) and parent is not None:
            self.used.add(f"{parent.name}.{owner.name.value}({node.name.value}:)")
        argument_type = get_named_type(self.type_info.get_input_type())
        if argument_type is not None:
            self.used.add(argument_type.name)

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        parent = get_named_type(self.type_info.get_parent_input_type())
        if parent is not None:
            self.used.update({parent.name, f"{parent.name}.{node.name.value}"})
        value_type = get_named_type(self.type_info.get_input_type())
        if value_type is not None:
            self.used.add(value_type.name)

    def enter_enum_value(self, node: EnumValueNode, *_: object) -> None:
        enum = get_named_type(self.type_info.get_input_type())
        if enum is not None:
            self.used.add(f"{enum.name}.{node.value}")

    def enter_inline_fragment(self, node: InlineFragmentNode, *_: object) -> None:
        if node.type_condition is not None:
            self.used.add(node.type_condition.name.value)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: object) -> None:
        self.used.add(node.type_condition.name.value)

    def enter_named_type(self, node: NamedTypeNode, *_: object) -> None:
        named = self.schema.get_type(node.name.value)
        if named is not None:
            _input_coordinates(named, self.used, set())


def operation_usage(schema: GraphQLSchema, operations: list[Operation]) -> list[OperationUsage]:
    """The coordinates of `schema` each operation selects, passes or may send."""
    usages = []
    for operation in operations:
        used: set[str] = set()
        type_info = TypeInfo(schema)
        visit(parse(operation.document), TypeInfoVisitor(type_info, _Collector(schema, type_info, used)))
        usages.append(OperationUsage(operation.name, used))
    return usages


def _matches(change: Change, used: set[str]) -> bool:
    coordinate = change.coordinate
    if change.code == "REQUIRED_ARGUMENT_ADDED":
        return coordinate.split("(")[0] in used  # every call of the field now lacks the argument
    if change.code == "REQUIRED_INPUT_FIELD_ADDED":
        return coordinate.split(".")[0] in used
    if coordinate in used:
        return True
    # `Type.*`: a variable of an input type or an enum-typed output may involve any member.
    owner, _, member = coordinate.partition(".")
    return bool(member) and "(" not in member and f"{owner}.*" in used


def affected_operations(change: Change, usages: list[OperationUsage]) -> list[str]:
    return [usage.name for usage in usages if _matches(change, usage.coordinates)]
