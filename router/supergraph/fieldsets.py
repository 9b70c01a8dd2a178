"""Parsing of join__FieldSet strings (keys, requires, provides) into selection sets."""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLSyntaxError, OperationDefinitionNode, SelectionSetNode, parse

from router.supergraph.errors import SupergraphError

__all__ = ["parse_field_set"]


@lru_cache(maxsize=4096)
def parse_field_set(text: str) -> SelectionSetNode:
    """`"id organization { id }"` -> the selection set `{ id organization { id } }`."""
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLSyntaxError as exc:
        raise SupergraphError(f"invalid field set {text!r}: {exc.message}") from exc
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set
