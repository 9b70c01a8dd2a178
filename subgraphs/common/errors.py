"""GraphQL errors with a stable ``extensions.code`` and the extension that masks the rest.

Codes follow DESIGN §5 (the Apollo conventions): clients switch on ``extensions.code``, never on
the message. Anything that is not one of these errors is an internal failure: it is logged with
the request id and reaches the client only as "Internal server error".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

__all__ = [
    "BadUserInput",
    "Conflict",
    "FitGraphError",
    "Forbidden",
    "MaskInternalErrors",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "error_code",
]

_log = structlog.get_logger("fitgraph.errors")

INTERNAL_MESSAGE = "Internal server error"


class FitGraphError(GraphQLError):
    """Base of every error meant for the client; ``code`` lands in ``extensions.code``."""

    code: str = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadUserInput(FitGraphError):
    """Input that fails validation; ``field`` names the offending argument/input field."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **extensions: Any) -> None:
        if field is not None:
            extensions["field"] = field
        super().__init__(message, **extensions)
        self.field = field


class Unauthenticated(FitGraphError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentication required", **extensions: Any) -> None:
        super().__init__(message, **extensions)


class Forbidden(FitGraphError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Not allowed", **extensions: Any) -> None:
        super().__init__(message, **extensions)


class Conflict(FitGraphError):
    code = "CONFLICT"


class NotFound(FitGraphError):
    code = "NOT_FOUND"


class RateLimited(FitGraphError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after_seconds: int, **extensions: Any) -> None:
        super().__init__(message, retryAfter=retry_after_seconds, **extensions)
        self.retry_after_seconds = retry_after_seconds


def error_code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


_VARIABLE = re.compile(r"Variable '\$(\w+)'")
_VALUE_PATH = re.compile(r"invalid value at ([\w.\[\]]+)")
_REQUIRED_FIELD = re.compile(r"required field '(\w+)'")


def _classify_pre_execution(error: GraphQLError) -> dict[str, Any]:
    """Extensions for errors graphql-core raises without an original error or a code.

    Codes are the ones Apollo uses, so clients and the router can tell bad input from bugs; for
    variable coercion failures ``field`` names the innermost offending input field.
    """
    if error.path is not None:
        # Raised while executing (e.g. null for a non-null field): a server-side failure.
        return {"code": "INTERNAL_SERVER_ERROR"}
    message = error.message
    if message.startswith("Syntax Error"):
        return {"code": "GRAPHQL_PARSE_FAILED"}
    variable = _VARIABLE.match(message)
    if variable is None:
        return {"code": "GRAPHQL_VALIDATION_FAILED"}
    field = variable.group(1)
    if path := _VALUE_PATH.search(message):
        names = [part for part in re.split(r"[.\[\]]", path.group(1)) if part and not part.isdigit()]
        field = names[-1] if names else field
    elif required := _REQUIRED_FIELD.search(message):
        field = required.group(1)
    return {"code": "BAD_USER_INPUT", "field": field}


class MaskInternalErrors(SchemaExtension):
    """Masks every error that is not a :class:`FitGraphError` or a GraphQL-level error.

    Validation/parse/coercion errors (no ``original_error``) are the client's fault and are
    kept, with a code added. Errors raised by resolvers that are not FitGraphErrors are bugs
    or infrastructure failures: logged in full, replaced by a generic message.
    """

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled

    def on_operation(self) -> Iterator[None]:
        yield
        # Parse/validation failures never reach execution: they only live here (and are the
        # very objects sent to the client), so they are annotated in place.
        for error in self.execution_context.pre_execution_errors or ():
            self.annotate(error)
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self._process(error) for error in errors]  # type: ignore[union-attr]

    @staticmethod
    def annotate(error: GraphQLError) -> None:
        original = error.original_error
        if (original is None or isinstance(original, GraphQLError)) and error_code(error) is None:
            error.extensions = {**(error.extensions or {}), **_classify_pre_execution(error)}

    def _process(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, FitGraphError) or isinstance(error, FitGraphError):
            return error
        if original is None or isinstance(original, GraphQLError):
            self.annotate(error)
            return error
        # Explicit, so the id is logged even if contextvars were not bound (e.g. a direct
        # schema.execute in a worker).
        request_id = getattr(self.execution_context.context, "request_id", None)
        _log.error(
            "internal_error",
            request_id=request_id,
            error=repr(original),
            path=error.path,
            exc_info=(type(original), original, original.__traceback__),
        )
        if not self.enabled:
            error.extensions = {**(error.extensions or {}), "code": "INTERNAL_SERVER_ERROR"}
            return error
        return GraphQLError(
            INTERNAL_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )
