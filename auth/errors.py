"""Exceptions raised by the auth package.

Subgraphs and the router map every :class:`AuthError` to a GraphQL error whose
``extensions.code`` is :attr:`AuthError.code`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AuthError", "InvalidToken", "InvalidTokenReason"]


class InvalidTokenReason(StrEnum):
    """Machine-readable reason why a token was rejected (safe to log, not secret)."""

    MALFORMED = "malformed"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    MISSING_KID = "missing_kid"
    UNKNOWN_KID = "unknown_kid"
    BAD_SIGNATURE = "bad_signature"
    INVALID_ISSUER = "invalid_issuer"
    INVALID_AUDIENCE = "invalid_audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    MISSING_CLAIM = "missing_claim"
    INVALID_CLAIM = "invalid_claim"


class AuthError(Exception):
    """Base class of every authentication failure."""

    code: str = "UNAUTHENTICATED"


class InvalidToken(AuthError):
    """A bearer token failed verification.

    ``reason`` is an :class:`InvalidTokenReason` (a ``str``), so callers may compare it with
    plain strings such as ``"expired"``. ``detail`` is a short human-readable explanation; it
    never contains key material or the token itself.
    """

    def __init__(self, reason: InvalidTokenReason | str, detail: str | None = None) -> None:
        self.reason: InvalidTokenReason = InvalidTokenReason(reason)
        self.detail = detail
        super().__init__(f"{self.reason.value}: {detail}" if detail else self.reason.value)
