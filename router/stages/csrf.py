"""CSRF prevention, Apollo Router's rule.

A browser sends a cross-site request without a CORS preflight only when it is "simple": GET
(or POST) whose content-type, if any, is application/x-www-form-urlencoded, multipart/form-data
or text/plain, and with no custom header. Such a request could carry the victim's cookies, so
the router refuses it unless it has a non-simple content-type or one of the configured headers
(x-apollo-operation-name, apollo-require-preflight by default), which force a preflight.
In practice the transport already answers 415 to a POST with a simple content-type; this
stage is what refuses a bare GET.
"""

from __future__ import annotations

from router.config import CsrfConfig
from router.pipeline import NextStage, Operation
from router.stages.errors import request_error
from router.types import GraphQLResponse

__all__ = ["CsrfStage", "is_preflighted"]

_SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})


def is_preflighted(headers: dict[str, str], required_headers: tuple[str, ...]) -> bool:
    """True when a browser must have sent a CORS preflight before this request."""
    content_type = headers.get("content-type")
    if content_type is not None:
        # Several comma-joined values are possible; every one must be non-simple.
        media_types = [part.split(";", 1)[0].strip().lower() for part in content_type.split(",")]
        if media_types and all(media and media not in _SIMPLE_CONTENT_TYPES for media in media_types):
            return True
    return any(name in headers for name in required_headers)


class CsrfStage:
    __slots__ = ("_message", "_required")

    def __init__(self, config: CsrfConfig) -> None:
        self._required = config.required_headers
        self._message = (
            "This operation was blocked as a potential cross-site request forgery (CSRF). Send a "
            "'content-type' header other than application/x-www-form-urlencoded, multipart/form-data "
            f"or text/plain, or one of these headers: {', '.join(self._required)}."
        )

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        if not is_preflighted(operation.context.client_headers, self._required):
            return request_error(self._message, "CSRF_ERROR", status=400)
        return await call_next(operation)
