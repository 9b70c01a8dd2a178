"""The per-request Strawberry context: verified claims, per-request DataLoaders, the request.

Identity comes ONLY from a verified ``Authorization: Bearer`` JWT. Headers such as
``x-user-id`` are never read. A request carrying an invalid token fails as a whole with
UNAUTHENTICATED (see :class:`RejectInvalidToken`), like Apollo Router's authentication.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol

import structlog
from graphql import ExecutionResult
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from auth.claims import Claims
from auth.errors import InvalidToken
from subgraphs.common.errors import Forbidden, Unauthenticated

__all__ = [
    "Authenticator",
    "RejectInvalidToken",
    "RequestContext",
    "RevocationCheck",
    "make_context_getter",
    "require_admin",
    "require_auth",
    "require_scope",
]

REQUEST_ID_HEADER = "x-request-id"

_log = structlog.get_logger("fitgraph.context")


class Authenticator(Protocol):
    async def authenticate(self, authorization: str | None) -> Claims | None:
        """Claims for a valid bearer header, None without one; raises InvalidToken otherwise."""
        ...


# Returns a reason string when verified claims must still be refused (revoked session, banned
# account), None when they are fine.
RevocationCheck = Callable[[Claims], Awaitable[str | None]]


class RequestContext(BaseContext):
    def __init__(
        self,
        *,
        claims: Claims | None,
        token_error: str | None,
        loaders: Any,
        services: Any,
        request_id: str,
        client_host: str | None,
    ) -> None:
        super().__init__()
        self.claims = claims
        # Why the bearer token was refused; the RejectInvalidToken extension turns it into an
        # UNAUTHENTICATED error for the whole operation.
        self.token_error = token_error
        self.loaders = loaders
        self.services = services
        self.request_id = request_id
        self.client_host = client_host


def make_context_getter(
    *,
    authenticator: Authenticator,
    loaders_factory: Callable[[], Any] = lambda: None,
    services: Any = None,
    revocation_check: RevocationCheck | None = None,
) -> Callable[[Request], Awaitable[RequestContext]]:
    """Build the ``context_getter`` for Strawberry's FastAPI router."""

    async def get_context(request: Request) -> RequestContext:
        claims: Claims | None = None
        token_error: str | None = None
        try:
            claims = await authenticator.authenticate(request.headers.get("authorization"))
        except InvalidToken as error:
            token_error = str(error.reason)
        except Exception:
            # A bug or an unreachable key source: still deny (never fall back to anonymous
            # when a token was sent), but make it visible.
            _log.exception("token_verification_failed")
            token_error = "verification_failed"
        if claims is not None and revocation_check is not None:
            reason = await revocation_check(claims)
            if reason is not None:
                claims, token_error = None, reason
        request_id = (
            getattr(request.state, "request_id", None)
            or request.headers.get(REQUEST_ID_HEADER)
            or uuid.uuid4().hex
        )
        return RequestContext(
            claims=claims,
            token_error=token_error,
            loaders=loaders_factory(),
            services=services,
            request_id=request_id,
            client_host=request.client.host if request.client else None,
        )

    return get_context


class RejectInvalidToken(SchemaExtension):
    """Fails the operation with UNAUTHENTICATED when the bearer token did not verify."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        reason = getattr(context, "token_error", None)
        if reason is not None:
            error = Unauthenticated(f"Invalid access token ({reason})", reason=reason)
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
        yield


def _context(info: Info[Any, Any]) -> RequestContext:
    context = info.context
    if not isinstance(context, RequestContext):
        raise TypeError("schema must be served with a RequestContext")
    return context


def require_auth(info: Info[Any, Any]) -> Claims:
    claims = _context(info).claims
    if claims is None:
        raise Unauthenticated()
    return claims


def require_scope(info: Info[Any, Any], scope: str) -> Claims:
    claims = require_auth(info)
    if not claims.has_scope(scope):
        raise Forbidden(f"Requires scope {scope}", requiredScope=scope)
    return claims


def require_admin(info: Info[Any, Any]) -> Claims:
    claims = require_auth(info)
    if not claims.is_admin:
        raise Forbidden("Requires the admin role")
    return claims
