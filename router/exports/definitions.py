"""Export definitions: `schema/exports/*.graphql`, one named query per file plus a header of
`# key: value` comments (comments, so the document stays a plain valid operation):

    # export: workouts                      name in the URL (default: the file name)
    # rows: me.workouts.edges.node          response path of the rows (lists walked through)
    # page_info: me.workouts.pageInfo       the connection's pageInfo {hasNextPage endCursor}
    # cursor: after                         variable receiving endCursor (default: after)
    # page_size: first                      variable holding the page size (default: first)
    # partition: startTime                  column that `partition=day` partitions Parquet by

`RangeStart` / `RangeEnd` URL parameters (Power BI incremental refresh) become the variables
`RangeStart`/`RangeEnd` or `rangeStart`/`rangeEnd`, whichever the query declares. Columns come
from the selection under `rows` (nested objects flattened to `a.b`), so a CSV header can be
written before the first row arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    parse,
    validate,
)

__all__ = ["Column", "ExportDefinition", "ExportError", "columns_for", "load_exports", "parse_export"]

_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:\s*(\S+)\s*$")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_KEYS = {"export", "rows", "page_info", "cursor", "page_size", "partition"}


class ExportError(ValueError):
    """A definition is malformed, or does not fit the schema."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # flattened response path, e.g. "owner.displayName"
    path: tuple[str, ...]
    type_name: str  # the named GraphQL type (Int, Float, Boolean, DateTime, an enum, …)
    is_list: bool = False


@dataclass(frozen=True, slots=True)
class ExportDefinition:
    name: str
    query: str
    operation_name: str | None
    rows: tuple[str, ...]
    page_info: tuple[str, ...] | None
    cursor_variable: str
    page_size_variable: str
    partition: str | None
    variables: frozenset[str]


def parse_export(text: str, default_name: str) -> ExportDefinition:
    header: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match and match.group(1) in _KEYS:
            header[match.group(1)] = match.group(2)
    name = header.get("export", default_name)
    if not _NAME.match(name):
        raise ExportError(f"export name {name!r}: letters, digits, - and _ only")
    if "rows" not in header:
        raise ExportError(f"export {name}: a `# rows: <path>` header is required")
    try:
        document = parse(text)
    except GraphQLError as error:
        raise ExportError(f"export {name}: {error.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        raise ExportError(f"export {name}: the file must hold exactly one query")
    operation = operations[0]
    variables = frozenset(v.variable.name.value for v in operation.variable_definitions or ())
    page_info = tuple(header["page_info"].split(".")) if "page_info" in header else None
    cursor = header.get("cursor", "after")
    if page_info is not None and cursor not in variables:
        raise ExportError(f"export {name}: the query must declare the cursor variable ${cursor}")
    return ExportDefinition(
        name=name,
        query=text,
        operation_name=operation.name.value if operation.name else None,
        rows=tuple(header["rows"].split(".")),
        page_info=page_info,
        cursor_variable=cursor,
        page_size_variable=header.get("page_size", "first"),
        partition=header.get("partition"),
        variables=variables,
    )


def load_exports(directory: str | Path) -> dict[str, ExportDefinition]:
    exports: dict[str, ExportDefinition] = {}
    for file in sorted(Path(directory).glob("*.graphql")):
        definition = parse_export(file.read_text(encoding="utf-8"), file.stem)
        if definition.name in exports:
            raise ExportError(f"export {definition.name} is defined twice")
        exports[definition.name] = definition
    return exports


def _fields(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            found.extend(_fields(fragments[selection.name.value].selection_set, fragments))
    return found


def _field_type(parent: GraphQLNamedType, name: str) -> tuple[GraphQLNamedType, bool]:
    if name == "__typename":
        return GraphQLString, False
    definition = getattr(parent, "fields", {}).get(name)
    if definition is None:
        raise ExportError(f"{parent.name} has no field {name}")
    nullable = get_nullable_type(definition.type)
    return get_named_type(definition.type), isinstance(nullable, GraphQLList)


def columns_for(definition: ExportDefinition, schema: GraphQLSchema) -> list[Column]:
    """Validate the export against `schema`; the columns of its rows, in selection order."""
    document = parse(definition.query)
    errors = validate(schema, document)
    if errors:
        raise ExportError(f"export {definition.name}: " + "; ".join(e.message for e in errors))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    parent: GraphQLNamedType | None = schema.query_type
    selection_set: SelectionSetNode | None = operation.selection_set
    for key in definition.rows:
        match = (
            next((f for f in _fields(selection_set, fragments) if (f.alias or f.name).value == key), None)
            if selection_set is not None and parent is not None
            else None
        )
        if match is None or parent is None:
            raise ExportError(f"export {definition.name}: the query selects no `{key}` on the rows path")
        parent, _ = _field_type(parent, match.name.value)
        selection_set = match.selection_set
    if selection_set is None or parent is None or not is_composite_type(parent):
        raise ExportError(f"export {definition.name}: the rows path must end at a list of objects")
    columns: list[Column] = []
    _collect(parent, selection_set, fragments, (), columns)
    return columns


def _collect(
    parent: GraphQLNamedType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    prefix: tuple[str, ...],
    columns: list[Column],
) -> None:
    seen = {column.path for column in columns}
    for field in _fields(selection_set, fragments):
        key = (field.alias or field.name).value
        named, is_list = _field_type(parent, field.name.value)
        path = (*prefix, key)
        if field.selection_set is not None and not is_list:
            _collect(named, field.selection_set, fragments, path, columns)
        elif path not in seen:
            seen.add(path)
            # A list (of scalars or objects) stays one cell, JSON-encoded.
            columns.append(
                Column(".".join(path), path, named.name, is_list or field.selection_set is not None)
            )
