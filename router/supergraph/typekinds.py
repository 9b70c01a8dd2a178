"""The kind of a GraphQL SDL type definition (or extension) node.

Shared by the router's supergraph loader and schema composition's subgraph reader: it imports
graphql-core only, so composition can use it without loading the router's runtime, and the router
never imports the `schema` package.
"""

from __future__ import annotations

from typing import Literal

from graphql import (
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

__all__ = ["TYPE_KINDS", "TypeKind"]

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]

# Node class -> kind. `extend scalar` is not listed: the supergraph loader has never read scalar
# extensions; the subgraph reader adds it for itself.
TYPE_KINDS: dict[type, TypeKind] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
}
