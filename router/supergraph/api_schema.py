"""Derive the API schema (what clients see) from a supergraph document.

The API schema is the supergraph minus every definition and directive use of the specs it links
(join, link, inaccessible, tag, authorization, cost …) and minus every `@inaccessible` element
(inaccessible spec v0.2). Directives of other linked specs (composed custom directives) stay.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_ast_schema,
)

from router.supergraph.errors import SupergraphError
from router.supergraph.links import SpecNames

__all__ = ["build_api_schema"]


class _Filter:
    def __init__(self, links: SpecNames) -> None:
        self.namespaces = tuple(ns + "__" for ns in links.namespaces())
        self.removed_names = links.imported_names()
        self.inaccessible = links.directive("inaccessible", "inaccessible")
        self.dropped_types: set[str] = set()

    def spec_element(self, name: str) -> bool:
        return name.startswith(self.namespaces) or name in self.removed_names

    def directives(self, directives: Any) -> tuple[DirectiveNode, ...]:
        return tuple(d for d in directives or () if not self.spec_element(d.name.value))

    def hidden(self, node: Any) -> bool:
        return self.inaccessible is not None and any(
            d.name.value == self.inaccessible for d in getattr(node, "directives", None) or ()
        )

    def named_type(self, node: Any) -> str:
        while not isinstance(node, NamedTypeNode):
            node = node.type
        return node.name.value

    def clean_arguments(self, arguments: Any) -> tuple[Any, ...]:
        return tuple(
            replace(arg, directives=self.directives(arg.directives))
            for arg in arguments or ()
            if not self.hidden(arg) and self.named_type(arg.type) not in self.dropped_types
        )

    def clean_fields(self, fields: Any) -> tuple[Any, ...]:
        result = []
        for field in fields or ():
            if self.hidden(field) or self.named_type(field.type) in self.dropped_types:
                continue
            changes: dict[str, Any] = {"directives": self.directives(field.directives)}
            if getattr(field, "arguments", None) is not None:
                changes["arguments"] = self.clean_arguments(field.arguments)
            result.append(replace(field, **changes))
        return tuple(result)

    def clean_type(self, node: Any) -> Any:
        changes: dict[str, Any] = {"directives": self.directives(node.directives)}
        if getattr(node, "fields", None) is not None:
            changes["fields"] = self.clean_fields(node.fields)
        if getattr(node, "interfaces", None) is not None:
            changes["interfaces"] = tuple(
                i for i in node.interfaces if i.name.value not in self.dropped_types
            )
        if getattr(node, "types", None) is not None:
            changes["types"] = tuple(t for t in node.types if t.name.value not in self.dropped_types)
        if getattr(node, "values", None) is not None:
            changes["values"] = tuple(
                replace(v, directives=self.directives(v.directives))
                for v in node.values
                if not self.hidden(v)
            )
        return replace(node, **changes)


def _strip(document: DocumentNode, links: SpecNames) -> DocumentNode:
    flt = _Filter(links)
    for definition in document.definitions:
        if isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            name = definition.name.value
            if flt.spec_element(name) or flt.hidden(definition):
                flt.dropped_types.add(name)
    definitions: list[Any] = []
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            if flt.spec_element(definition.name.value) or definition.name.value in ("link", "core"):
                continue
            definitions.append(
                replace(definition, arguments=flt.clean_arguments(definition.arguments))
            )
        elif isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            directives = tuple(
                d
                for d in flt.directives(definition.directives)
                if d.name.value not in ("link", "core")
            )
            definitions.append(replace(definition, directives=directives))  # type: ignore[arg-type]
        elif isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            if definition.name.value in flt.dropped_types:
                continue
            definitions.append(flt.clean_type(definition))
        else:
            definitions.append(definition)
    return DocumentNode(definitions=tuple(definitions))


def build_api_schema(supergraph: DocumentNode, links: SpecNames) -> GraphQLSchema:
    """The API schema of a parsed supergraph (the document itself is left untouched)."""
    document = _strip(supergraph, links)
    try:
        return build_ast_schema(document, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as exc:
        raise SupergraphError(f"cannot build the API schema: {exc}") from exc

