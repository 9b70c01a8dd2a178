"""The API schema of a supergraph: what clients see (join/link machinery and @inaccessible
elements removed, only the built-in directives kept), plus a canonical printed form."""

from __future__ import annotations

from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InputValueDefinitionNode,
    ListValueNode,
    NamedTypeNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    build_ast_schema,
    lexicographic_sort_schema,
    parse,
    print_schema,
)
from graphql.language import Visitor, visit
from graphql.language.visitor import REMOVE

from schema.compose.fieldsets import named_type

__all__ = ["api_schema", "api_schema_sdl", "normalized_sdl"]

_KEPT_DIRECTIVES = {"deprecated", "specifiedBy", "oneOf"}
_SPEC_TYPE_PREFIXES = ("join__", "link__", "policy__", "requiresScopes__")


def _inaccessible_name(document: DocumentNode) -> str:
    """The local name of @inaccessible: the inaccessible spec may be linked with `as:` or its
    directive imported under another name (link v1.0 §Prefixing, §Imports)."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            arguments = {a.name.value: a.value for a in directive.arguments or ()}
            url = arguments.get("url")
            if not isinstance(url, StringValueNode) or "/inaccessible/" not in url.value:
                continue
            imports = arguments.get("import")
            for item in imports.values if isinstance(imports, ListValueNode) else ():
                if isinstance(item, ObjectValueNode):
                    fields = {f.name.value: f.value for f in item.fields}
                    name, alias = fields.get("name"), fields.get("as")
                    if isinstance(name, StringValueNode) and name.value == "@inaccessible":
                        if isinstance(alias, StringValueNode):
                            return alias.value.lstrip("@")
            prefix = arguments.get("as")
            return prefix.value if isinstance(prefix, StringValueNode) else "inaccessible"
    return "inaccessible"


def _has(node: Any, name: str) -> bool:
    return any(d.name.value == name for d in getattr(node, "directives", None) or ())


class _Strip(Visitor):
    def __init__(self, inaccessible: str, removed_types: set[str]) -> None:
        super().__init__()
        self.inaccessible = inaccessible
        self.removed_types = removed_types

    def enter(self, node: Any, *_: Any) -> Any:
        if isinstance(node, SchemaDefinitionNode | DirectiveDefinitionNode):
            return REMOVE
        if isinstance(node, DirectiveNode):
            return None if node.name.value in _KEPT_DIRECTIVES else REMOVE
        if isinstance(node, TypeDefinitionNode) and node.name.value in self.removed_types:
            return REMOVE
        if isinstance(node, FieldDefinitionNode | InputValueDefinitionNode) and (
            named_type(node.type) in self.removed_types
        ):
            return REMOVE
        if isinstance(node, NamedTypeNode) and node.name.value in self.removed_types:
            return REMOVE  # a union member or implemented interface that is hidden
        if _has(node, self.inaccessible):
            return REMOVE
        return None


def api_schema_sdl(supergraph_sdl: str) -> str:
    """The API schema of `supergraph_sdl`, printed (types in supergraph order)."""
    document = parse(supergraph_sdl)
    inaccessible = _inaccessible_name(document)
    removed = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode)
        and (d.name.value.startswith(_SPEC_TYPE_PREFIXES) or _has(d, inaccessible))
    }
    stripped = visit(document, _Strip(inaccessible, removed))
    return print_schema(build_ast_schema(stripped))


def api_schema(supergraph_sdl: str) -> GraphQLSchema:
    return build_ast_schema(parse(api_schema_sdl(supergraph_sdl)))


def normalized_sdl(sdl: str) -> str:
    """A canonical print of any schema SDL (types, fields, values sorted) for comparisons."""
    return print_schema(lexicographic_sort_schema(build_ast_schema(parse(sdl))))
