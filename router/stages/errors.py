"""Building GraphQL error responses the same way in every stage (DESIGN §5: message + code)."""

from __future__ import annotations

from typing import Any

from router.types import GraphQLResponse

__all__ = ["error_entry", "request_error"]


def error_entry(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


def request_error(
    message: str,
    code: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> GraphQLResponse:
    """A response for a request refused before execution: no `data` entry.

    `status` forces the HTTP status whatever the media type (e.g. 405, 413); without it the
    transport applies GraphQL-over-HTTP's rule (400 for graphql-response+json, 200 for json).
    """
    return GraphQLResponse(
        body={"errors": [error_entry(message, code, **extensions)]},
        is_request_error=True,
        status_code=status,
        headers=headers or {},
    )
