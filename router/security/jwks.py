"""JWKS key sources for `auth.tokens.TokenVerifier`: from a URL or a file, cached, refreshed.

`TokenVerifier` asks its key source synchronously (`verification_key(kid)`), so loading is
driven from outside: the authentication stage awaits `ensure_loaded()` before verifying and,
when a token names an unknown `kid` (the issuer rotated its keys), awaits `refresh()` and
verifies once more. A refresh never runs more often than `min_refresh_interval` (a flood of
forged kids must not become a flood of downloads), concurrent callers share one load, and a
failed load keeps the last good keys (RFC 7517 keys are public: stale beats none).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import httpx
import structlog

from auth.keys import PublicKey, PublicKeySet

__all__ = ["CompositeKeySource", "JwksCache"]

_log = structlog.get_logger("router.jwks")

# A JWKS is a handful of keys; anything this large is not one.
_MAX_JWKS_BYTES = 512 * 1024

Loader = Callable[[], Awaitable[bytes]]
Clock = Callable[[], float]


class JwksCache:
    """One JWKS document, loaded lazily and refreshed on demand (with a floor) or when old."""

    def __init__(
        self,
        load: Loader,
        *,
        name: str,
        max_age: float = 300.0,
        min_refresh_interval: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._load = load
        self.name = name
        self._max_age = max_age
        self._floor = min_refresh_interval
        self._clock = clock
        self._keys: PublicKeySet | None = None
        self._loaded_at: float | None = None
        self._attempted_at: float | None = None
        self._inflight: asyncio.Task[bool] | None = None
        self.loads = 0
        self.failures = 0

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout: float = 5.0,
        max_age: float = 300.0,
        min_refresh_interval: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> JwksCache:
        async def load() -> bytes:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
                response = await client.get(url, headers={"accept": "application/json"})
                response.raise_for_status()
                if len(response.content) > _MAX_JWKS_BYTES:
                    raise ValueError("JWKS response too large")
                return response.content

        return cls(load, name=url, max_age=max_age, min_refresh_interval=min_refresh_interval, clock=clock)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        max_age: float = 300.0,
        min_refresh_interval: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> JwksCache:
        file = Path(path)

        async def load() -> bytes:
            return await asyncio.to_thread(file.read_bytes)

        return cls(
            load, name=str(file), max_age=max_age, min_refresh_interval=min_refresh_interval, clock=clock
        )

    # -- KeySource ------------------------------------------------------------------------

    def verification_key(self, kid: str) -> tuple[PublicKey, str] | None:
        keys = self._keys
        return None if keys is None else keys.verification_key(kid)

    @property
    def kids(self) -> list[str]:
        return [] if self._keys is None else self._keys.kids

    # -- loading --------------------------------------------------------------------------

    async def ensure_loaded(self) -> None:
        """Load before first use; afterwards only start a background refresh when old."""
        if self._keys is None:
            await self.refresh()
            return
        now = self._clock()
        if (
            self._loaded_at is not None
            and now - self._loaded_at >= self._max_age
            and self._may_attempt(now)
            and (self._inflight is None or self._inflight.done())
        ):
            # Not awaited: the current keys keep serving while the new ones download.
            self._start_reload()

    def _may_attempt(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self._floor

    def _start_reload(self) -> asyncio.Task[bool]:
        self._attempted_at = self._clock()
        self._inflight = asyncio.create_task(self._reload())
        return self._inflight

    async def refresh(self) -> bool:
        """Reload unless the floor forbids it (joining a load already running); True when
        new keys were installed."""
        if self._inflight is not None and not self._inflight.done():
            return await asyncio.shield(self._inflight)
        if not self._may_attempt(self._clock()):
            return False
        return await asyncio.shield(self._start_reload())

    async def _reload(self) -> bool:
        try:
            document = await self._load()
            keys = PublicKeySet.from_jwks(document)
        except Exception as error:  # network, HTTP status, JSON or key errors alike
            self.failures += 1
            _log.warning("jwks_load_failed", source=self.name, error=f"{type(error).__name__}: {error}")
            return False
        self._keys = keys
        self._loaded_at = self._clock()
        self.loads += 1
        return True


class CompositeKeySource:
    """Several JWKS sources (e.g. two issuers' key sets during a migration) as one."""

    def __init__(self, sources: Sequence[JwksCache]) -> None:
        self.sources = tuple(sources)

    def verification_key(self, kid: str) -> tuple[PublicKey, str] | None:
        for source in self.sources:
            entry = source.verification_key(kid)
            if entry is not None:
                return entry
        return None

    async def ensure_loaded(self) -> None:
        await asyncio.gather(*(source.ensure_loaded() for source in self.sources))

    async def refresh(self) -> bool:
        results = await asyncio.gather(*(source.refresh() for source in self.sources))
        return any(results)
