"""GraphQL type-system validation (GraphQL spec §3 "Type Validation") of the composed supergraph,
reported like Apollo does (INVALID_GRAPHQL) with the types, fields and subgraphs involved."""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    GraphQLError,
    Node,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
    validate_schema,
)
from graphql.validation.validate import validate_sdl

from schema.compose.errors import CompositionError
from schema.compose.supermodel import Supergraph

__all__ = ["validate_supergraph_sdl"]


def _where(document: DocumentNode, node: Node) -> tuple[str | None, str | None]:
    """(type name, "Type.field" or None) of the definition holding `node` in `document`."""
    if node.loc is None:
        return None, None
    start = node.loc.start
    for definition in document.definitions:
        if not isinstance(definition, TypeDefinitionNode) or definition.loc is None:
            continue
        if definition.loc.start <= start < definition.loc.end:
            for member in getattr(definition, "fields", None) or ():
                if (
                    isinstance(member, FieldDefinitionNode)
                    and member.loc is not None
                    and member.loc.start <= start < member.loc.end
                ):
                    return definition.name.value, f"{definition.name.value}.{member.name.value}"
            return definition.name.value, None
    return None, None


def _error(supergraph: Supergraph, document: DocumentNode, error: GraphQLError) -> CompositionError:
    coordinates: list[str] = []
    graphs: list[str] = []
    for node in error.nodes or ():
        type_name, coordinate = _where(document, node)
        if type_name is None:
            continue
        coordinates.append(coordinate or type_name)
        super_type = supergraph.types.get(type_name)
        if super_type is not None:
            field = super_type.fields.get(coordinate.split(".", 1)[1]) if coordinate else None
            owners = list(field.per_graph) if field is not None and field.per_graph else super_type.graphs
            graphs.extend(g for g in owners if g not in graphs)
    where = f" (subgraphs {', '.join(repr(g) for g in graphs)})" if graphs else ""
    return CompositionError(
        "INVALID_GRAPHQL", f"{error.message}{where}", tuple(graphs), tuple(dict.fromkeys(coordinates))
    )


def validate_supergraph_sdl(supergraph: Supergraph, sdl: str) -> list[CompositionError]:
    """Build the printed supergraph with graphql-core and run the type-system validation."""
    document = parse(sdl)
    sdl_errors = validate_sdl(document)
    if sdl_errors:
        return [_error(supergraph, document, error) for error in sdl_errors]
    schema = build_ast_schema(document, assume_valid_sdl=True)
    return [_error(supergraph, document, error) for error in validate_schema(schema)]
