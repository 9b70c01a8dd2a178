"""Who runs an export: the caller's credentials → the `RequestContext` every page of the export
runs under in the operation pipeline (DESIGN §2), so authorization and rate limits see the same
identity they would see on /graphql.

- A bearer token (RFC 6750 §2.1, the Authorization header) is verified like every router
  request; its claims are the identity.
- An API key (query parameter, Power BI's "Web API" credential) becomes claims with subject
  `api-key:<id>`, no roles, and exactly the key's scopes: `@requiresScopes` then filters fields
  by what the key was granted, and the rate limit counts per key.

Either must hold the exports scope (default `bi:read`): 401 without valid credentials, 403
without the scope. Cookies are not accepted here: an export URL is fetched by BI tools, not by
a browser session, so there is no CSRF exposure to guard against.
"""

from __future__ import annotations

import os
import re
import time

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse

from auth.claims import Claims
from auth.errors import InvalidToken
from router.exports.config import ExportsConfig
from router.exports.keys import ApiKey, ApiKeyStore
from router.observability.redaction import remember_secrets
from router.security.authn import CLAIMS_ATTRIBUTE, Authenticator
from router.stages.headers import TRACEPARENT_ATTRIBUTE, trace_context
from router.stages.transport import client_headers
from router.types import RequestContext

__all__ = ["API_KEY_ATTRIBUTE", "ExportIdentity", "error_response", "key_claims"]

_log = structlog.get_logger("router.exports")

# RequestContext.attributes key holding the id (never the key) of the API key used.
API_KEY_ATTRIBUTE = "api_key"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_KEY_CLAIMS_LIFETIME = 3600  # informational: a key is checked again on every export


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status, headers=headers
    )


def key_claims(record: ApiKey) -> Claims:
    """The identity of an API key as the pipeline's authorization and rate limits see it."""
    now = int(time.time())
    subject = f"api-key:{record.id}"
    scopes = frozenset(record.scopes)
    return Claims(
        subject=subject,
        roles=frozenset(),
        scopes=scopes,
        issued_at=now,
        expires_at=now + _KEY_CLAIMS_LIFETIME,
        token_id=subject,
        raw={"sub": subject, "scope": " ".join(sorted(scopes)), "api_key": record.id},
    )


class ExportIdentity:
    """Turns an export request's credentials into the context of its pipeline runs."""

    def __init__(
        self, config: ExportsConfig, *, authenticator: Authenticator | None, key_store: ApiKeyStore | None
    ) -> None:
        self._config = config
        self._authenticator = authenticator
        self._keys = key_store

    def _base_context(self, request: Request) -> RequestContext:
        headers = client_headers(request)
        supplied = headers.get("x-request-id", "")
        context = RequestContext(
            request_id=supplied if _REQUEST_ID.match(supplied) else os.urandom(16).hex(),
            client_headers=headers,
            client_address=request.client.host if request.client else None,
        )
        traceparent, trace_id = trace_context(headers)
        context.attributes[TRACEPARENT_ATTRIBUTE] = traceparent
        structlog.contextvars.bind_contextvars(request_id=context.request_id, trace_id=trace_id)
        return context

    async def context(self, request: Request) -> RequestContext | JSONResponse:
        """The context to run the export's pages under, or the refusal to send."""
        context = self._base_context(request)
        scope = self._config.scope
        authorization = context.client_headers.get("authorization")
        if authorization and self._authenticator is not None:
            token = authorization.strip().partition(" ")[2].strip()
            remember_secrets([token] if len(token) >= 4 else [])
            try:
                claims = await self._authenticator.authenticate(authorization)
            except InvalidToken as error:
                _log.info("export_token_rejected", reason=error.reason.value)
                return error_response(
                    401,
                    "The credentials are invalid or expired",
                    "UNAUTHENTICATED",
                    {"www-authenticate": 'Bearer error="invalid_token"'},
                )
            if claims is None or not claims.has_scope(scope):
                return error_response(403, f"Exports need the {scope} scope", "FORBIDDEN")
            context.attributes[CLAIMS_ATTRIBUTE] = claims
            context.claims = dict(claims.raw)
            context.bearer_token = token
            if self._authenticator.config.forward_to_subgraphs:
                context.subgraph_headers["authorization"] = f"Bearer {token}"
            return context
        key = request.query_params.get(self._config.api_key_param)
        if key and self._keys is not None:
            remember_secrets([key])
            record = await self._keys.lookup(key)
            if record is None:
                return error_response(401, "Unknown or revoked API key", "UNAUTHENTICATED")
            if not record.has_scope(scope):
                return error_response(403, f"Exports need the {scope} scope", "FORBIDDEN")
            claims = key_claims(record)
            context.attributes[CLAIMS_ATTRIBUTE] = claims
            context.attributes[API_KEY_ATTRIBUTE] = record.id
            context.claims = dict(claims.raw)
            # The key itself never leaves the router: subgraphs get the configured service headers.
            context.subgraph_headers.update(self._config.subgraph_headers)
            return context
        return error_response(
            401,
            "Exports need a bearer token or an API key",
            "UNAUTHENTICATED",
            {"www-authenticate": "Bearer"},
        )
