"""Execution: plan and run the prepared operation in the Engine, then apply the error policy.

Errors of an executed operation all stem from subgraphs (relayed errors, failed fetches, nulls
a subgraph returned in non-null positions). They reach clients verbatim only with
`include_subgraph_errors: true`; otherwise each message is redacted (path and `extensions.code`
kept, so clients can still branch on the code) and the originals go to the log with the request
id. Request errors (e.g. variable coercion) are the client's own and pass untouched. A router
failure is masked as INTERNAL_SERVER_ERROR; its traceback is logged, never sent.
"""

from __future__ import annotations

from typing import Any

import structlog

from router.pipeline import NextStage, Operation
from router.stages.errors import error_entry
from router.types import GraphQLResponse

__all__ = ["REDACTED_MESSAGE", "ExecutionStage", "redact_subgraph_errors"]

_log = structlog.get_logger("router.execution")

REDACTED_MESSAGE = "Subgraph errors redacted"
_INTERNAL_MESSAGE = "Internal server error"
_ROUTER_CODES = frozenset({"INTERNAL_SERVER_ERROR"})


def _is_router_error(error: Any) -> bool:
    # The router's own masked failure carries nothing to hide.
    extensions = error.get("extensions") if isinstance(error, dict) else None
    return (
        isinstance(extensions, dict)
        and extensions.get("code") in _ROUTER_CODES
        and error.get("message") == _INTERNAL_MESSAGE
    )


def redact_subgraph_errors(body: dict[str, Any]) -> list[Any]:
    """Redact the errors of an executed response in place; returns the originals."""
    errors = body.get("errors")
    if not errors:
        return []
    redacted: list[Any] = []
    result: list[dict[str, Any]] = []
    for error in errors:
        if _is_router_error(error):
            result.append(error)
            continue
        redacted.append(error)
        masked: dict[str, Any] = {"message": REDACTED_MESSAGE}
        if isinstance(error, dict):
            if "path" in error:
                masked["path"] = error["path"]
            extensions = error.get("extensions")
            code = extensions.get("code") if isinstance(extensions, dict) else None
            if isinstance(code, str):
                masked["extensions"] = {"code": code}
        result.append(masked)
    body["errors"] = result
    return redacted


class ExecutionStage:
    """The last stage: it never calls next."""

    __slots__ = ("_include_subgraph_errors",)

    def __init__(self, *, include_subgraph_errors: bool) -> None:
        self._include_subgraph_errors = include_subgraph_errors

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        prepared = operation.prepared
        assert prepared is not None, "the execution stage runs after analysis"
        try:
            response = await operation.engine.execute(prepared, operation.request, operation.context)
        except Exception:
            _log.exception(
                "execution_failed",
                operation_name=prepared.operation_name,
            )
            return GraphQLResponse(
                body={"errors": [error_entry(_INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR")]},
                is_request_error=True,
                status_code=500,
            )
        if not self._include_subgraph_errors and not response.is_request_error and "errors" in response.body:
            redacted = redact_subgraph_errors(response.body)
            if redacted:
                _log.warning(
                    "subgraph_errors",
                        operation_name=prepared.operation_name,
                    errors=redacted,
                )
        return response
