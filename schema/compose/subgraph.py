"""Parse one subgraph SDL (Federation 2 with @link, or Federation 1) into a `SubgraphSchema`."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
)

from router.supergraph.typekinds import TYPE_KINDS
from schema.compose.errors import CompositionError
from schema.compose.links import FEDERATION_DIRECTIVES, LinkResolution, resolve_links
from schema.compose.model import (
    AppliedDirective,
    SubArgument,
    SubEnumValue,
    SubField,
    SubgraphSchema,
    SubType,
    TypeKind,
)

__all__ = ["CARRIED_DIRECTIVES", "parse_subgraph"]

# Directives that travel from subgraphs into the supergraph (and, for the builtins, the API schema).
CARRIED_DIRECTIVES = frozenset(
    {
        "inaccessible",
        "tag",
        "authenticated",
        "requiresScopes",
        "policy",
        "cost",
        "listSize",
        "deprecated",
        "specifiedBy",
        "oneOf",
    }
)
_BUILTIN_DIRECTIVES = {"deprecated", "specifiedBy", "oneOf"}
# Directives whose supergraph encoding needs a newer join spec than the v0.3 printed here.
_NEEDS_NEWER_JOIN = {"context", "fromContext"}
_ROOT_NAMES = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
_FEDERATION_ROOT_FIELDS = {"_service", "_entities"}
# A subgraph may extend a scalar (e.g. to add @tag), which the supergraph loader does not read.
_KINDS: dict[type, TypeKind] = {**TYPE_KINDS, ScalarTypeExtensionNode: "scalar"}


class _Reader:
    def __init__(self, name: str, links: LinkResolution, renames: dict[str, str]) -> None:
        self.name = name
        self.links = links
        self.renames = renames
        self.errors: list[CompositionError] = []
        self.composed: dict[str, str] = {}
        # Directives the subgraph defines itself: used freely, not composed (unless composed).
        self.defined_directives: set[str] = set()

    def error(self, code: str, message: str, coordinate: str | None = None) -> None:
        self.errors.append(
            CompositionError(
                code, f"[{self.name}] {message}", (self.name,), (coordinate,) if coordinate else ()
            )
        )

    def canonical(self, directive: DirectiveNode) -> str | None:
        local = directive.name.value
        if local in _BUILTIN_DIRECTIVES:
            return local
        if local in self.links.directives:
            return self.links.directives[local]
        if local in self.composed:
            return local
        return None

    def type_ref(self, node: TypeNode) -> TypeNode:
        if isinstance(node, NonNullTypeNode):
            inner = self.type_ref(node.type)
            assert isinstance(inner, NamedTypeNode | ListTypeNode)
            return NonNullTypeNode(type=inner)
        if isinstance(node, ListTypeNode):
            return ListTypeNode(type=self.type_ref(node.type))
        assert isinstance(node, NamedTypeNode)
        name = node.name.value
        return NamedTypeNode(name=NameNode(value=self.renames.get(name, name)))

    def carried(self, directives: tuple[DirectiveNode, ...] | None) -> list[AppliedDirective]:
        result: list[AppliedDirective] = []
        for directive in directives or ():
            canonical = self.canonical(directive)
            if canonical is None and directive.name.value not in self.defined_directives:
                local = directive.name.value
                hint = f' (a federation directive: import it with @link(import: ["@{local}"]))'
                self.error(
                    "INVALID_GRAPHQL",
                    f"Unknown directive @{local}{hint if local in FEDERATION_DIRECTIVES else ''}",
                )
            if canonical in _NEEDS_NEWER_JOIN:
                self.error(
                    "UNSUPPORTED_FEATURE",
                    f"@{directive.name.value} (federation 2.8 contexts) needs join v0.5, which this composition "
                    "does not emit",
                )
            if canonical in CARRIED_DIRECTIVES or (canonical and canonical in self.composed):
                arguments = {a.name.value: a.value for a in directive.arguments or ()}
                result.append(AppliedDirective(canonical, arguments))
        return result

    def args(self, directive: DirectiveNode) -> dict[str, object]:
        values: dict[str, object] = {}
        for argument in directive.arguments or ():
            value = argument.value
            if isinstance(value, StringValueNode | BooleanValueNode):
                values[argument.name.value] = value.value
        return values

    def argument(self, node: InputValueDefinitionNode) -> SubArgument:
        return SubArgument(
            name=node.name.value,
            type=self.type_ref(node.type),
            default=node.default_value,
            description=node.description.value if node.description else None,
            directives=self.carried(node.directives),
        )

    def field(self, node: FieldDefinitionNode | InputValueDefinitionNode, owner: str) -> SubField:
        result = SubField(
            name=node.name.value,
            type=self.type_ref(node.type),
            description=node.description.value if node.description else None,
            directives=self.carried(node.directives),
        )
        if isinstance(node, FieldDefinitionNode):
            result.arguments = {a.name.value: self.argument(a) for a in node.arguments or ()}
        for directive in node.directives or ():
            canonical = self.canonical(directive)
            values = self.args(directive)
            if canonical == "shareable":
                result.shareable = True
            elif canonical == "external":
                result.external = True
            elif canonical in ("requires", "provides"):
                fields = values.get("fields")
                if not isinstance(fields, str):
                    self.error(
                        f"{canonical.upper()}_INVALID_FIELDS_TYPE",
                        f'@{canonical} on "{owner}.{result.name}" needs a string "fields" argument',
                        f"{owner}.{result.name}",
                    )
                elif canonical == "requires":
                    result.requires = fields
                else:
                    result.provides = fields
            elif canonical == "override":
                source = values.get("from")
                result.override = source if isinstance(source, str) else None
                label = values.get("label")
                result.override_label = label if isinstance(label, str) else None
                if result.override_label is not None:
                    self.error(
                        "UNSUPPORTED_FEATURE",
                        f'progressive @override(label: "{label}") on "{owner}.{result.name}" needs join v0.4, '
                        "which this composition does not emit; drop the label for a full override",
                        f"{owner}.{result.name}",
                    )
        return result

    def apply_type_directives(self, node: TypeDefinitionNode | TypeExtensionNode, target: SubType) -> None:
        target.directives.extend(self.carried(node.directives))
        for directive in node.directives or ():
            canonical = self.canonical(directive)
            values = self.args(directive)
            if canonical == "key":
                fields = values.get("fields")
                if not isinstance(fields, str):
                    self.error("KEY_INVALID_FIELDS_TYPE", f'@key on "{target.name}" needs a string "fields"')
                    continue
                resolvable = values.get("resolvable", True)
                target.keys.append((fields, resolvable is not False))
            elif canonical == "shareable":
                target.shareable = True
            elif canonical == "extends":
                target.extension = True
            elif canonical == "interfaceObject":
                target.interface_object = True


def _description(node: TypeDefinitionNode | TypeExtensionNode) -> str | None:
    description = getattr(node, "description", None)
    return description.value if description is not None else None


def parse_subgraph(name: str, url: str, sdl: str) -> tuple[SubgraphSchema | None, list[CompositionError]]:
    """Parse and normalise one subgraph; returns (schema, errors). Root types become Query/…"""
    try:
        document = parse(sdl)
    except GraphQLSyntaxError as error:
        return None, [CompositionError("INVALID_GRAPHQL", f"[{name}] {error.message}", (name,))]
    links = resolve_links(document)
    renames = _root_renames(document)
    reader = _Reader(name, links, renames)
    reader.defined_directives = {
        d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)
    } | {"link"}
    for message in links.errors:
        reader.error("INVALID_LINK_DIRECTIVE_USAGE", message)
    _read_compose_directives(document, reader)
    result = SubgraphSchema(name=name, url=url, fed2=links.fed2)
    defined: set[str] = set()
    for definition in document.definitions:
        kind = _KINDS.get(type(definition))
        if kind is None:
            continue
        assert isinstance(definition, TypeDefinitionNode | TypeExtensionNode)
        type_name = renames.get(definition.name.value, definition.name.value)
        if definition.name.value in links.spec_types or type_name.startswith(("federation__", "link__")):
            continue
        existing = result.types.get(type_name)
        if existing is None:
            existing = result.types[type_name] = SubType(
                name=type_name, kind=kind, description=_description(definition)
            )
        elif existing.kind != kind:
            reader.error("TYPE_KIND_MISMATCH", f'"{type_name}" is defined with two kinds', type_name)
            continue
        existing.description = existing.description or _description(definition)
        is_extension = isinstance(definition, TypeExtensionNode)
        if not is_extension:
            if type_name in defined:
                reader.error("INVALID_GRAPHQL", f'There can be only one type named "{type_name}"', type_name)
            defined.add(type_name)
        existing.extension = existing.extension or is_extension
        reader.apply_type_directives(definition, existing)
        _read_members(reader, definition, existing)
    for type_name in defined:
        # A type both defined and extended in one subgraph is not an extension (only @extends is).
        result.types[type_name].extension = _has_extends(reader, document, type_name)
    if not links.fed2:
        # Federation 1 `extend type` is how entities were written, not an extension (Apollo's
        # upgrade keeps `extension: true` only for an explicit @extends).
        for sub_type in result.types.values():
            if sub_type.extension and not _has_extends(reader, document, sub_type.name):
                sub_type.extension = False
    # Every subgraph has a Query root (federation adds `_service`/`_entities` to it).
    query = result.types.setdefault("Query", SubType(name="Query", kind="object"))
    for field_name in _FEDERATION_ROOT_FIELDS:
        query.fields.pop(field_name, None)
    result.roots = {op: root for op, root in _ROOT_NAMES.items() if root in result.types}
    result.composed_directives = dict(reader.composed)
    result.imported_directives = dict(links.imported)
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode) and definition.name.value in reader.composed:
            result.directive_definitions[definition.name.value] = definition
    return result, reader.errors


def _has_extends(reader: _Reader, document: DocumentNode, type_name: str) -> bool:
    return any(
        reader.canonical(d) == "extends"
        for definition in document.definitions
        if isinstance(definition, TypeDefinitionNode | TypeExtensionNode)
        and reader.renames.get(definition.name.value, definition.name.value) == type_name
        for d in definition.directives or ()
    )


def _unique(reader: _Reader, members: Mapping[str, object], name: str, owner: str) -> None:
    if name in members:
        reader.error("INVALID_GRAPHQL", f'"{owner}.{name}" can only be defined once', f"{owner}.{name}")


def _read_members(
    reader: _Reader, definition: TypeDefinitionNode | TypeExtensionNode, target: SubType
) -> None:
    owner = target.name
    if isinstance(
        definition,
        ObjectTypeDefinitionNode
        | ObjectTypeExtensionNode
        | InterfaceTypeDefinitionNode
        | InterfaceTypeExtensionNode,
    ):
        for node in definition.fields or ():
            _unique(reader, target.fields, node.name.value, owner)
            target.fields[node.name.value] = reader.field(node, owner)
        for interface in definition.interfaces or ():
            if interface.name.value not in target.interfaces:
                target.interfaces.append(interface.name.value)
    elif isinstance(definition, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
        for input_node in definition.fields or ():
            _unique(reader, target.fields, input_node.name.value, owner)
            target.fields[input_node.name.value] = reader.field(input_node, owner)
            target.fields[input_node.name.value].default = input_node.default_value
    elif isinstance(definition, UnionTypeDefinitionNode | UnionTypeExtensionNode):
        for member in definition.types or ():
            if member.name.value not in target.members:
                target.members.append(member.name.value)
    elif isinstance(definition, EnumTypeDefinitionNode | EnumTypeExtensionNode):
        for value in definition.values or ():
            _unique(reader, target.values, value.name.value, owner)
            target.values[value.name.value] = SubEnumValue(
                value.name.value,
                value.description.value if value.description else None,
                reader.carried(value.directives),
            )


def _root_renames(document: DocumentNode) -> dict[str, str]:
    renames: dict[str, str] = {}
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            for operation in definition.operation_types or ():
                renames[operation.type.name.value] = _ROOT_NAMES[operation.operation.value]
    return renames


def _read_compose_directives(document: DocumentNode, reader: _Reader) -> None:
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if reader.canonical(directive) != "composeDirective":
                continue
            name = reader.args(directive).get("name")
            if not isinstance(name, str) or not name.startswith("@"):
                reader.error("DIRECTIVE_COMPOSITION_ERROR", '@composeDirective needs name: "@directive"')
                continue
            url = reader.links.custom.get(name[1:])
            if url is None:
                reader.error(
                    "DIRECTIVE_COMPOSITION_ERROR",
                    f'@composeDirective(name: "{name}") must name a directive imported through @link',
                )
                continue
            reader.composed[name[1:]] = url
