"""Authorization filtering: remove from a validated operation every field the caller may not see.

Rules (Apollo Router's authorization semantics, issue 4):
- a field is removed when its own requirement, its parent type's, or its return type's
  (object, interface, scalar or enum) is not met; a field selected on an interface is also
  removed when the same field of any implementation demands more than the caller holds, since
  the selection would read it there;
- an inline fragment or fragment spread whose type condition is not authorized is removed
  (each field it selected is reported);
- a field, fragment or operation whose selection becomes empty is removed as well (its
  fields were already reported).
Every removed field yields one error with its response path (aliases as written, `@` for a
list level) and `extensions.code` UNAUTHENTICATED for an anonymous caller, FORBIDDEN otherwise.
Authorization does not depend on where a fragment is spread, so each fragment is filtered once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

from auth.claims import Claims
from router.security.directives import AuthorizationRequirements
from router.security.walker import MAX_AUTHZ_ERRORS, Grant, Path, SelectionWalker

__all__ = [
    "MAX_AUTHZ_ERRORS",
    "FilterResult",
    "Grant",
    "filter_operation",
    "filter_prepared_parts",
    "policies_used",
]

UNAUTHORIZED_MESSAGE = "Unauthorized field or type"


@dataclass(frozen=True, slots=True)
class FilterResult:
    """The operation after filtering; `operation` is None when nothing of it remains."""

    document: DocumentNode
    operation: OperationDefinitionNode | None
    fragments: Mapping[str, FragmentDefinitionNode]
    errors: tuple[dict[str, Any], ...]
    changed: bool
    # Where the response gets `null` for what was removed (`()` = the whole data).
    null_paths: tuple[Path, ...] = ()


def _root_type(schema: GraphQLSchema, operation: OperationDefinitionNode) -> GraphQLObjectType:
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        raise ValueError(f"the schema has no {operation.operation.value} root type")
    return root


def _spreads(node: SelectionSetNode, into: set[str], fragments: dict[str, SelectionSetNode | None]) -> None:
    for selection in node.selections:
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in into:
                into.add(name)
                inner = fragments.get(name)
                if inner is not None:
                    _spreads(inner, into, fragments)
        elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
            _spreads(selection.selection_set, into, fragments)


def _fragment_map(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def policies_used(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
    requirements: AuthorizationRequirements,
) -> frozenset[str]:
    """Every `@policy` name the operation touches (what the policy hook is asked about)."""
    walker = SelectionWalker(schema, requirements, Grant(True), fragments, collect_policies=True)
    walker.selection_set(operation.selection_set, _root_type(schema, operation))
    return frozenset(walker.policies)


def filter_prepared_parts(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
    requirements: AuthorizationRequirements,
    grant: Grant,
) -> FilterResult:
    """Filter one operation of a validated document for `grant`."""
    walker = SelectionWalker(schema, requirements, grant, fragments)
    selection, removed = walker.selection_set(operation.selection_set, _root_type(schema, operation))
    code = "FORBIDDEN" if grant.authenticated else "UNAUTHENTICATED"
    errors = tuple(
        {"message": UNAUTHORIZED_MESSAGE, "path": list(path), "extensions": {"code": code}}
        for path in dict.fromkeys(path for path, _ in removed)
    )
    nulls = tuple(dict.fromkeys(path[:fill] for path, fill in removed if fill is not None))
    if selection is operation.selection_set and not removed:
        return FilterResult(
            DocumentNode(definitions=(operation, *fragments.values())),
            operation,
            dict(fragments),
            (),
            False,
            (),
        )
    if selection is None:
        return FilterResult(DocumentNode(definitions=()), None, {}, errors, True, nulls)
    new_operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=selection,
    )
    filtered = {name: inner for name, (inner, _) in walker.filtered_fragments.items()}
    used: set[str] = set()
    _spreads(selection, used, filtered)
    new_fragments: dict[str, FragmentDefinitionNode] = {}
    for name in used:
        inner = filtered.get(name)
        original = fragments[name]
        if inner is None:
            continue
        new_fragments[name] = (
            original
            if inner is original.selection_set
            else FragmentDefinitionNode(
                name=original.name,
                type_condition=original.type_condition,
                directives=original.directives,
                selection_set=inner,
            )
        )
    document = DocumentNode(definitions=(new_operation, *new_fragments.values()))
    return FilterResult(document, new_operation, new_fragments, errors, True, nulls)


def filter_operation(
    document: DocumentNode,
    operation_name: str | None,
    api_schema: GraphQLSchema,
    requirements: AuthorizationRequirements,
    claims: Claims | None,
    *,
    policies: Iterable[str] = (),
) -> tuple[DocumentNode, list[dict[str, Any]]]:
    """The validated `document` reduced to operation `operation_name` minus what `claims`
    (plus the granted `policies`) may not see, and one error per removed field. A document
    without definitions means nothing remained."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if len(chosen) != 1:
        raise ValueError("the document must hold exactly one operation of that name")
    result = filter_prepared_parts(
        chosen[0], _fragment_map(document), api_schema, requirements, Grant.of(claims, policies)
    )
    return result.document, list(result.errors)
