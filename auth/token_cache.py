"""A bounded LRU of verified access tokens, so a signature is checked once per token.

A client sends the same access token on every request until it expires; checking its Ed25519
or RSA signature each time dominates what verification costs. :class:`TokenVerifier` keeps the
claims of tokens it has verified here, keyed by the exact token string, and on a hit re-checks
everything that can change between two requests of the same token, so the cache never accepts
a token that a full verification would refuse:

- the clock: ``exp``, ``nbf`` and ``iat`` against the current time and leeway (RFC 7519
  §4.1.4-§4.1.6), exactly as the full check does;
- the key: the ``kid`` must still resolve to the very key object (and algorithm) that checked
  the signature, so a removed or replaced key (rotation, a JWKS refresh) is seen at once;
- the issuer the verifier expects (a public attribute a caller may change).

Only successes are stored: a refused token is verified (and refused) in full every time, and
a flood of forged tokens cannot evict the entries of real ones. A miss, or a hit that fails a
re-check, falls back to full verification, which raises the precise :class:`InvalidToken`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from auth.claims import Claims
from auth.errors import InvalidToken, InvalidTokenReason
from auth.keys import KeySource, PublicKey

__all__ = ["DEFAULT_TOKEN_CACHE_SIZE", "VerifiedTokenCache", "outside_validity"]

DEFAULT_TOKEN_CACHE_SIZE = 4096


def outside_validity(*, exp: int, nbf: int | None, iat: int, now: float, leeway: int) -> InvalidToken | None:
    """Why a token is not valid at `now` (RFC 7519 §4.1.4-§4.1.6 exp / nbf / iat, with a small
    leeway for clock skew), or None: the one check a full verification and a cache hit share."""
    if now >= exp + leeway:
        return InvalidToken(InvalidTokenReason.EXPIRED, "token has expired")
    if nbf is not None and nbf > now + leeway:
        return InvalidToken(InvalidTokenReason.NOT_YET_VALID, "token is not valid yet (nbf)")
    if iat > now + leeway:
        return InvalidToken(InvalidTokenReason.NOT_YET_VALID, "token is issued in the future (iat)")
    return None


@dataclass(frozen=True, slots=True)
class _Entry:
    claims: Claims
    issuer: str
    not_before: int | None
    # None for HS256 (the secret is fixed for the verifier's lifetime).
    kid: str | None
    public_key: PublicKey | None
    algorithm: str


class VerifiedTokenCache:
    """Claims of verified tokens by token string, least recently used evicted first."""

    def __init__(self, max_entries: int = DEFAULT_TOKEN_CACHE_SIZE) -> None:
        if max_entries <= 0:
            raise ValueError("max_entries must be positive")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def get(self, token: str, *, now: float, leeway: int, issuer: str, keys: KeySource) -> Claims | None:
        """The cached claims when every re-check passes, else None (and the entry is dropped)."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if self._still_valid(entry, now=now, leeway=leeway, issuer=issuer, keys=keys):
            self._entries.move_to_end(token)
            return entry.claims
        del self._entries[token]
        return None

    def put(
        self,
        token: str,
        claims: Claims,
        *,
        issuer: str,
        not_before: int | None,
        algorithm: str,
        kid: str | None = None,
        public_key: PublicKey | None = None,
    ) -> None:
        self._entries[token] = _Entry(claims, issuer, not_before, kid, public_key, algorithm)
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    @staticmethod
    def _still_valid(entry: _Entry, *, now: float, leeway: int, issuer: str, keys: KeySource) -> bool:
        claims = entry.claims
        # The very check TokenVerifier._claims makes, so a hit and a full check agree.
        refusal = outside_validity(
            exp=claims.expires_at, nbf=entry.not_before, iat=claims.issued_at, now=now, leeway=leeway
        )
        if refusal is not None:
            return False
        if entry.issuer != issuer:
            return False
        if entry.kid is None:
            return True
        current = keys.verification_key(entry.kid)
        return current is not None and current[0] is entry.public_key and current[1] == entry.algorithm
