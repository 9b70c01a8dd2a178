"""Running an export: one GraphQL request per page through the router's operation pipeline,
until the connection's `pageInfo.hasNextPage` is false. Pages are yielded as they arrive
(memory: one page)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import orjson
from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, OperationDefinitionNode, TypeNode, parse

from router.exports.definitions import ExportDefinition
from router.types import GraphQLRequest, GraphQLResponse

__all__ = ["ExportFailed", "RunPage", "coerce_parameters", "pages", "rows_at"]

_RANGE_PARAMETERS = {"RangeStart": ("RangeStart", "rangeStart"), "RangeEnd": ("RangeEnd", "rangeEnd")}


_STATUS_BY_CODE = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "RATE_LIMITED": 429,
    "BAD_USER_INPUT": 400,
    "GRAPHQL_PARSE_FAILED": 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
}


class ExportFailed(Exception):
    """The export cannot run (bad parameters) or a page failed; `errors` are GraphQL errors,
    `headers` what the refusing stage asked to send (e.g. Retry-After)."""

    def __init__(
        self, errors: list[dict[str, Any]], *, status: int = 502, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(errors[0].get("message") if errors else "export failed")
        self.errors = errors
        self.status = status
        self.headers = headers or {}


def _bad_input(message: str) -> ExportFailed:
    return ExportFailed([{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}], status=400)


def _variable_types(definition: ExportDefinition) -> dict[str, TypeNode]:
    document = parse(definition.query, no_location=True)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return {v.variable.name.value: v.type for v in operation.variable_definitions or ()}


def _coerce(raw: str, type_node: TypeNode) -> Any:
    inner = type_node.type if isinstance(type_node, NonNullTypeNode) else type_node
    if isinstance(inner, ListTypeNode) or not isinstance(inner, NamedTypeNode):
        return orjson.loads(raw)
    name = inner.name.value
    if name == "Int":
        return int(raw)
    if name == "Float":
        return float(raw)
    if name == "Boolean":
        if raw.lower() not in ("true", "false"):
            raise ValueError("expected true or false")
        return raw.lower() == "true"
    if raw.startswith("{"):
        return orjson.loads(raw)  # an input object
    return raw


def coerce_parameters(
    definition: ExportDefinition, parameters: Mapping[str, str], *, max_page_size: int
) -> dict[str, Any]:
    """URL parameters → variables (typed by the query's variable definitions)."""
    types = _variable_types(definition)
    variables: dict[str, Any] = {}
    for parameter, raw in parameters.items():
        names = _RANGE_PARAMETERS.get(parameter, (parameter,))
        name = next((candidate for candidate in names if candidate in types), None)
        if name is None or name == definition.cursor_variable:
            known = ", ".join(sorted(set(types) - {definition.cursor_variable})) or "none"
            raise _bad_input(f"unknown parameter {parameter!r} (this export takes: {known})")
        try:
            variables[name] = _coerce(raw, types[name])
        except (ValueError, orjson.JSONDecodeError) as error:
            raise _bad_input(f"parameter {parameter!r}: {error}") from None
    size = variables.get(definition.page_size_variable)
    if isinstance(size, int) and not 0 < size <= max_page_size:
        raise _bad_input(f"{definition.page_size_variable} must be between 1 and {max_page_size}")
    return variables


def rows_at(value: Any, path: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The objects at `path`, walking through every list on the way."""
    if isinstance(value, list):
        for item in value:
            yield from rows_at(item, path)
        return
    if not path:
        if isinstance(value, dict):
            yield value
        return
    if isinstance(value, dict):
        yield from rows_at(value.get(path[0]), path[1:])


def _page_info(data: Any, path: tuple[str, ...]) -> tuple[bool, str | None]:
    value = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, dict):
        return False, None
    cursor = value.get("endCursor")
    return bool(value.get("hasNextPage")) and isinstance(cursor, str), cursor if isinstance(
        cursor, str
    ) else None


def _codes(errors: list[dict[str, Any]]) -> list[str]:
    codes: list[str] = []
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if isinstance(code, str) and code not in codes:
            codes.append(code)
    return codes


def _failure(response: GraphQLResponse) -> ExportFailed:
    """The HTTP status an export answers when a page fails: the pipeline's own status when it
    set one (401, 403, 429, 413, …), else by error code, else 400 for a request error and 502
    for a failed execution (the subgraphs' fault, not the caller's)."""
    errors = list(response.body.get("errors") or [])
    codes = _codes(errors)
    status = response.status_code
    if status is None or status < 400:
        status = next((_STATUS_BY_CODE[code] for code in codes if code in _STATUS_BY_CODE), None)
    if status is None:
        status = 400 if response.is_request_error else 502
    return ExportFailed(errors, status=status, headers=dict(response.headers))


def _retry_after(response: GraphQLResponse) -> float | None:
    if "RATE_LIMITED" not in _codes(list(response.body.get("errors") or [])):
        return None
    try:
        return max(0.0, float(response.headers.get("retry-after", "1")))
    except ValueError:
        return 1.0


RunPage = Callable[[GraphQLRequest], Awaitable[GraphQLResponse]]


async def pages(
    definition: ExportDefinition,
    variables: dict[str, Any],
    run_page: RunPage,
    *,
    max_rate_limit_wait: float = 0.0,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Each page's rows; `run_page` answers one GraphQL request (the router's operation
    pipeline, so authorization, rate limits and limits apply to every page).

    Raises ExportFailed when a page answers with errors: an export is all or nothing (a
    partial page would silently drop rows from a BI dataset). A page refused by the rate limit
    after the first one is retried after `Retry-After` (up to `max_rate_limit_wait` seconds
    in total per page): the export slows down to the caller's rate instead of failing halfway.
    """
    request = GraphQLRequest(
        query=definition.query, operation_name=definition.operation_name, variables=variables
    )
    seen_cursors: set[str] = set()
    first = True
    while True:
        response = await run_page(request)
        waited = 0.0
        while not first and (delay := _retry_after(response)) is not None:
            if waited + delay > max_rate_limit_wait:
                break
            await asyncio.sleep(delay)
            waited += delay
            response = await run_page(request)
        first = False
        if response.body.get("errors") or "data" not in response.body:
            raise _failure(response)
        data = response.body.get("data")
        yield list(rows_at(data, definition.rows))
        if definition.page_info is None:
            return
        more, cursor = _page_info(data, definition.page_info)
        if not more or cursor is None or cursor in seen_cursors:
            return  # a repeated cursor would loop forever
        seen_cursors.add(cursor)
        request = replace(
            request, variables={**(request.variables or {}), definition.cursor_variable: cursor}
        )
