"""Authentication (DESIGN §2 stage 3): the bearer JWT becomes verified claims, or the request
is refused with 401 UNAUTHENTICATED before any work. No credentials → anonymous.

The outcome is computed once per HTTP request (every operation of a batch shares it). Claims
land in `RequestContext.attributes["claims"]` (an `auth.Claims`) and, as the raw JWT payload,
in `RequestContext.claims`; the credential is forwarded to subgraphs as
`Authorization: Bearer …` (they verify it themselves). Client identity headers are never read.
Refusals are counted by reason in `fitgraph_router_rejected_tokens_total`.
"""

from __future__ import annotations

import asyncio

import structlog
from prometheus_client import Counter

from auth.errors import InvalidToken
from router.pipeline import NextStage, Operation
from router.security.authn import CLAIMS_ATTRIBUTE, Authenticator
from router.security.config import AuthConfig
from router.stages.errors import request_error
from router.types import GraphQLResponse, RequestContext

__all__ = ["REJECTED_TOKENS", "AuthnStage"]

_log = structlog.get_logger("router.authn")

REJECTED_TOKENS = Counter(
    "fitgraph_router_rejected_tokens_total",
    "Requests refused with 401 because their bearer token failed verification, by reason",
    ["reason"],
)
_OUTCOME_ATTRIBUTE = "authn_outcome"
_MESSAGE = "The request's credentials are invalid or expired"
# RFC 6750 §3: a 401 names the scheme and, for a bad token, error="invalid_token".
_CHALLENGE = {"www-authenticate": 'Bearer error="invalid_token"'}


class AuthnStage:
    __slots__ = ("authenticator",)

    def __init__(self, config: AuthConfig | Authenticator) -> None:
        self.authenticator = config if isinstance(config, Authenticator) else Authenticator(config)

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        context = operation.context
        # A batch runs its operations concurrently: they share one verification.
        outcome = context.attributes.get(_OUTCOME_ATTRIBUTE)
        if outcome is None:
            outcome = context.attributes[_OUTCOME_ATTRIBUTE] = asyncio.ensure_future(
                self._authenticate(context)
            )
        if not await outcome:
            return request_error(_MESSAGE, "UNAUTHENTICATED", status=401, headers=dict(_CHALLENGE))
        return await call_next(operation)

    async def _authenticate(self, context: RequestContext) -> bool:
        authenticator = self.authenticator
        credentials = authenticator.credentials(context.client_headers)
        try:
            claims = await authenticator.authenticate(credentials)
        except InvalidToken as error:
            # The reason is safe to log (never the token); the client learns only "invalid".
            _log.info("token_rejected", request_id=context.request_id, reason=error.reason.value)
            REJECTED_TOKENS.labels(reason=error.reason.value).inc()
            return False
        context.attributes[CLAIMS_ATTRIBUTE] = claims
        if claims is None or credentials is None:
            context.claims = None
            context.bearer_token = None
            return True
        context.claims = dict(claims.raw)
        token = credentials.strip().partition(" ")[2].strip()
        context.bearer_token = token
        if authenticator.config.forward_to_subgraphs:
            context.subgraph_headers["authorization"] = f"Bearer {token}"
        return True
