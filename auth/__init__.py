"""FitGraph authentication library: JWT access tokens, keys/JWKS, roles→scopes, passwords.

No web framework in here: subgraphs and the router import these pieces. Typical use::

    ring = KeyRing.from_directory(".fitgraph/keys")          # or KeyRing.ephemeral() in tests
    issuer = TokenIssuer(ring, issuer="https://fitgraph.local", audience="fitgraph")
    token = issuer.issue(user_id, roles=["user"], session_id=sid)

    verifier = TokenVerifier(PublicKeySet.from_jwks(jwks), issuer=..., audience="fitgraph")
    claims = verifier.verify_bearer(request.headers.get("authorization"))  # None if absent
    # raises InvalidToken (code UNAUTHENTICATED, .reason e.g. "expired") when invalid
"""

from __future__ import annotations

from auth.claims import Claims
from auth.errors import AuthError, InvalidToken, InvalidTokenReason
from auth.keys import KeyRing, KeySource, PublicKeySet, SigningKey
from auth.passwords import PasswordHasher, validate_password_strength
from auth.refresh import (
    RefreshTokenPolicy,
    hash_opaque_token,
    hash_refresh_token,
    new_opaque_token,
    new_refresh_token,
)
from auth.roles import KNOWN_ROLES, ROLE_SCOPES, scopes_for, validate_roles
from auth.tokens import TokenIssuer, TokenVerifier

__all__ = [
    "KNOWN_ROLES",
    "ROLE_SCOPES",
    "AuthError",
    "Claims",
    "InvalidToken",
    "InvalidTokenReason",
    "KeyRing",
    "KeySource",
    "PasswordHasher",
    "PublicKeySet",
    "RefreshTokenPolicy",
    "SigningKey",
    "TokenIssuer",
    "TokenVerifier",
    "hash_opaque_token",
    "hash_refresh_token",
    "new_opaque_token",
    "new_refresh_token",
    "scopes_for",
    "validate_password_strength",
    "validate_roles",
]
