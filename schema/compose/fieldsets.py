"""Field sets of @key / @requires / @provides: parsing and validation against one subgraph.

Federation subgraph spec, "scalar FieldSet": a selection set without the outer braces; @key
selections may not have arguments nor select list/abstract fields (Apollo codes KEY_FIELDS_HAS_ARGS,
KEY_FIELDS_SELECT_INVALID_TYPE); @requires/@provides in Federation 2 select @external fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeNode,
    parse,
)

from schema.compose.model import SubgraphSchema

__all__ = ["FieldSetIssue", "SelectedField", "named_type", "parse_field_set", "validate_field_set"]


@dataclass(frozen=True)
class FieldSetIssue:
    code: str
    message: str


@dataclass(frozen=True)
class SelectedField:
    parent: str
    name: str
    depth: int


def named_type(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


@lru_cache(maxsize=4096)
def parse_field_set(fields: str) -> SelectionSetNode | None:
    """The selection set of a field set (cached: the same keys recur across types and subgraphs)."""
    try:
        document = parse("{" + fields + "}", no_location=True)
    except GraphQLSyntaxError:
        return None
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def _walk(
    subgraph: SubgraphSchema,
    parent: str,
    selection_set: SelectionSetNode,
    depth: int,
    under_external: bool = False,
) -> Iterator[tuple[SelectedField | None, FieldNode | None, str, bool]]:
    """Yields (field, node, problem, under an @external field); problem is "" when the field exists."""
    parent_type = subgraph.types.get(parent)
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else parent
            if condition not in subgraph.types:
                yield None, None, f'unknown type "{condition}"', under_external
                continue
            yield from _walk(subgraph, condition, selection.selection_set, depth, under_external)
            continue
        if not isinstance(selection, FieldNode):
            yield None, None, "fragment spreads are not allowed", under_external
            continue
        name = selection.name.value
        if name == "__typename":
            continue
        if parent_type is None or name not in parent_type.fields:
            yield None, None, f'cannot query field "{name}" on type "{parent}"', under_external
            continue
        yield SelectedField(parent, name, depth), selection, "", under_external
        field_type = named_type(parent_type.fields[name].type)
        nested_external = under_external or parent_type.fields[name].external
        target = subgraph.types.get(field_type)
        if selection.selection_set is not None:
            if target is None or target.kind not in ("object", "interface", "union"):
                yield None, None, f'field "{parent}.{name}" is a leaf and takes no selection', under_external
                continue
            yield from _walk(subgraph, field_type, selection.selection_set, depth + 1, nested_external)
        elif target is not None and target.kind in ("object", "interface", "union"):
            yield (
                None,
                None,
                f'field "{parent}.{name}" of type "{field_type}" needs a selection',
                under_external,
            )


def validate_field_set(
    subgraph: SubgraphSchema, parent: str, fields: str, directive: str, coordinate: str
) -> list[FieldSetIssue]:
    """Validate one field set of `directive` ("key", "requires", "provides") on `parent`."""
    prefix = directive.upper()
    where = f'On "{coordinate}", for @{directive}(fields: "{fields}")'
    selection_set = parse_field_set(fields)
    if selection_set is None:
        return [FieldSetIssue(f"{prefix}_INVALID_FIELDS", f"{where}: the field set does not parse")]
    issues: list[FieldSetIssue] = []
    for selected, node, problem, under_external in _walk(subgraph, parent, selection_set, 0):
        if problem:
            issues.append(FieldSetIssue(f"{prefix}_INVALID_FIELDS", f"{where}: {problem}"))
            continue
        assert selected is not None and node is not None
        sub_field = subgraph.types[selected.parent].fields[selected.name]
        sub_field.used_in_field_set = True
        sub_field.used_in_key = sub_field.used_in_key or directive == "key"
        sub_field.provided = sub_field.provided or directive == "provides"
        target = subgraph.types.get(named_type(sub_field.type))
        if directive == "key":
            if node.arguments or sub_field.arguments:
                issues.append(
                    FieldSetIssue(
                        "KEY_FIELDS_HAS_ARGS",
                        f'{where}: field "{selected.parent}.{selected.name}" has arguments',
                    )
                )
            # Apollo's composition accepts list fields in keys (its docs say otherwise); follow the code.
            if target is not None and target.kind in ("interface", "union"):
                issues.append(
                    FieldSetIssue(
                        "KEY_FIELDS_SELECT_INVALID_TYPE",
                        f'{where}: field "{selected.parent}.{selected.name}" is an interface or union',
                    )
                )
        elif subgraph.fed2 and not (sub_field.external or under_external) and node.selection_set is None:
            issues.append(
                FieldSetIssue(
                    f"{prefix}_FIELDS_MISSING_EXTERNAL",
                    f'{where}: field "{selected.parent}.{selected.name}" is not marked @external in this subgraph',
                )
            )
    return issues
