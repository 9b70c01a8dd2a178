"""Where a subgraph gets its token verifier: a local key ring or the users subgraph's JWKS."""

from __future__ import annotations

import asyncio
import fcntl
import time
from pathlib import Path

import httpx
import structlog

from auth.claims import Claims
from auth.errors import InvalidToken, InvalidTokenReason
from auth.keys import KeyRing, PublicKeySet
from auth.tokens import TokenVerifier
from subgraphs.common.settings import SubgraphSettings

__all__ = ["JwksAuthenticator", "VerifierAuthenticator", "authenticator_for", "load_or_create_keyring"]

_log = structlog.get_logger("fitgraph.identity")

# A flood of tokens with random kids must not turn into a flood of JWKS fetches.
_MIN_REFRESH_INTERVAL_SECONDS = 10.0


def load_or_create_keyring(directory: Path) -> KeyRing:
    """Key ring from a PEM directory; an empty/missing directory gets a fresh EdDSA key (dev).

    Several subgraphs may start at once on a fresh checkout (`make dev`): an exclusive lock on
    the directory makes exactly one of them create the key and the others load it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            if not any(directory.glob("*.pem")):
                ring = KeyRing.ephemeral("EdDSA")
                ring.write_active_to_directory(directory)
                _log.warning("generated_signing_key", directory=str(directory), kid=ring.active.kid)
                return ring
            return KeyRing.from_directory(directory)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _verifier(keys: KeyRing | PublicKeySet, settings: SubgraphSettings) -> TokenVerifier:
    return TokenVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
        hs256_secret=settings.jwt_hs256_secret.encode() if settings.jwt_hs256_secret else None,
        cache_size=settings.jwt_verify_cache_size,
    )


def _bearer(authorization: str | None) -> bool:
    return bool(authorization and authorization.strip())


class VerifierAuthenticator:
    """Verifies against keys held in process (the users subgraph's own key ring)."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def authenticate(self, authorization: str | None) -> Claims | None:
        if not _bearer(authorization):
            return None
        return self.verifier.verify_bearer(authorization)  # type: ignore[arg-type]


class JwksAuthenticator:
    """Fetches the JWKS at start and again when a token names a kid it does not know."""

    def __init__(
        self,
        url: str,
        settings: SubgraphSettings,
        *,
        client: httpx.AsyncClient | None = None,
        min_refresh_interval_seconds: float = _MIN_REFRESH_INTERVAL_SECONDS,
    ) -> None:
        self.url = url
        self._min_interval = min_refresh_interval_seconds
        self._settings = settings
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._verifier = _verifier(PublicKeySet(), settings)
        self._last_fetch = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:
            response = await self._client.get(self.url)
            response.raise_for_status()
            self._verifier = _verifier(PublicKeySet.from_jwks(response.content), self._settings)
            self._last_fetch = time.monotonic()

    async def authenticate(self, authorization: str | None) -> Claims | None:
        if not _bearer(authorization):
            return None
        try:
            return self._verifier.verify_bearer(authorization)  # type: ignore[arg-type]
        except InvalidToken as error:
            if error.reason is not InvalidTokenReason.UNKNOWN_KID:
                raise
            if time.monotonic() - self._last_fetch < self._min_interval:
                raise
        try:
            await self.refresh()
        except (httpx.HTTPError, ValueError) as error:
            _log.warning("jwks_refresh_failed", url=self.url, error=repr(error))
            raise InvalidToken(InvalidTokenReason.UNKNOWN_KID, "signing keys unavailable") from error
        return self._verifier.verify_bearer(authorization)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        await self._client.aclose()


def authenticator_for(
    settings: SubgraphSettings, *, keyring: KeyRing | None = None
) -> VerifierAuthenticator | JwksAuthenticator:
    """Local verification when a key ring is given or configured, else the JWKS URL."""
    if keyring is not None:
        return VerifierAuthenticator(_verifier(keyring, settings))
    if settings.jwks_url:
        return JwksAuthenticator(settings.jwks_url, settings)
    return VerifierAuthenticator(_verifier(load_or_create_keyring(settings.jwt_keys_dir), settings))
