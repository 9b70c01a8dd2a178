"""`__schema` / `__type` root fields answered by the router from the API schema.

Introspection must show what clients may use (the API schema), never the supergraph, and
never reaches a subgraph; graphql-core's own executor answers it (GraphQL spec §4.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
)

from router.executor.errors import error

__all__ = ["INTROSPECTION_FIELDS", "introspect"]

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def introspect(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    fields: Mapping[str, list[FieldNode]],
    raw_variables: Mapping[str, Any] | None,
    errors: list[dict[str, Any]],
) -> dict[str, Any]:
    """Execute only the given root introspection fields; returns values by response key."""
    selections = tuple(node for nodes in fields.values() for node in nodes)
    reduced = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=None,
        variable_definitions=operation.variable_definitions,
        directives=(),
        selection_set=SelectionSetNode(selections=selections),
    )
    document = DocumentNode(definitions=(reduced, *fragments.values()))
    result = execute_sync(schema, document, variable_values=dict(raw_variables or {}))
    for failure in result.errors or ():
        errors.append(
            error(failure.message, code="INTROSPECTION_FAILED", path=list(failure.path or []) or None)
        )
    data = result.data or {}
    return {key: data.get(key) for key in fields}
