"""Bearer-token authentication for the router: config → verifier, token lookup, verification.

RFC 6750 §2.1 (Authorization: Bearer) and, when configured, a cookie. Verification itself is
`auth.tokens.TokenVerifier` (algorithm allow-list, key/alg binding, iss/aud/exp/nbf/iat with
leeway); this module adds the JWKS loading around it: one refresh and one retry when a token
names a `kid` the cached key sets do not know yet (the issuer rotated keys).
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import Any

from auth.claims import Claims
from auth.errors import InvalidToken, InvalidTokenReason
from auth.tokens import TokenVerifier
from router.security.config import AuthConfig
from router.security.jwks import CompositeKeySource, JwksCache
from router.types import RequestContext

__all__ = ["CLAIMS_ATTRIBUTE", "Authenticator", "request_claims"]

# RequestContext.attributes key holding the verified `auth.claims.Claims` (or None).
CLAIMS_ATTRIBUTE = "claims"


def request_claims(context: RequestContext) -> Claims | None:
    """The verified claims of the request, None when anonymous (or not authenticated yet)."""
    claims = context.attributes.get(CLAIMS_ATTRIBUTE)
    return claims if isinstance(claims, Claims) else None


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(name)
    value = morsel.value.strip() if morsel is not None else ""
    return value or None


class Authenticator:
    """Verifies the credentials of one request; shared by every request."""

    def __init__(self, config: AuthConfig, *, keys: CompositeKeySource | None = None) -> None:
        self.config = config
        if keys is None:
            keys = CompositeKeySource(
                [
                    JwksCache.from_url(
                        source.url,
                        timeout=source.timeout,
                        max_age=source.max_age,
                        min_refresh_interval=source.min_refresh_interval,
                    )
                    if source.url is not None
                    else JwksCache.from_file(
                        source.file or "",
                        max_age=source.max_age,
                        min_refresh_interval=source.min_refresh_interval,
                    )
                    for source in config.jwks
                ]
            )
        self.keys = keys
        secret = config.hs256_secret.get_secret_value().encode() if config.hs256_secret is not None else None
        self.verifier = TokenVerifier(
            keys,
            issuer=config.issuer,
            audience=config.audience,
            algorithms=[algorithm for algorithm in config.algorithms if algorithm != "HS256"],
            leeway_seconds=config.leeway_seconds,
            hs256_secret=secret,
        )

    def credentials(self, headers: dict[str, Any]) -> str | None:
        """The raw credential: the Authorization header value, else `Bearer <cookie>`."""
        authorization = headers.get("authorization")
        if isinstance(authorization, str) and authorization.strip():
            return authorization
        if self.config.cookie is not None:
            token = _cookie(headers.get("cookie"), self.config.cookie)
            if token is not None:
                return f"Bearer {token}"
        return None

    async def authenticate(self, credentials: str | None) -> Claims | None:
        """Claims for `credentials`, None when absent; raises InvalidToken when invalid."""
        if credentials is None or not credentials.strip():
            return None
        if self.keys.sources:
            await self.keys.ensure_loaded()
        try:
            return self.verifier.verify_bearer(credentials)
        except InvalidToken as error:
            if error.reason is not InvalidTokenReason.UNKNOWN_KID or not await self.keys.refresh():
                raise
        return self.verifier.verify_bearer(credentials)
