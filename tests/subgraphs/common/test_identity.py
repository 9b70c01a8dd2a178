"""Where verifying subgraphs get keys: a PEM directory, or the JWKS URL with rotation."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth.errors import InvalidToken
from auth.keys import KeyRing, SigningKey
from auth.tokens import TokenIssuer
from subgraphs.common.identity import (
    JwksAuthenticator,
    VerifierAuthenticator,
    authenticator_for,
    load_or_create_keyring,
)
from subgraphs.common.settings import SubgraphSettings
from tests.support.servers import running_server


def test_keyring_is_created_once_in_an_empty_directory(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    first = load_or_create_keyring(directory)
    assert [p.stem for p in directory.glob("*.pem")] == [first.active.kid]
    again = load_or_create_keyring(directory)
    assert again.active.kid == first.active.kid
    assert again.jwks() == first.jwks()


async def test_jwks_authenticator_follows_key_rotation() -> None:
    ring = KeyRing.ephemeral()
    fetches: list[int] = []

    async def jwks(request: Request) -> JSONResponse:
        fetches.append(1)
        return JSONResponse(ring.jwks())

    settings = SubgraphSettings()
    issuer = TokenIssuer(ring, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    async with running_server(Starlette(routes=[Route("/jwks", jwks)])) as url:
        authenticator = JwksAuthenticator(f"{url}/jwks", settings, min_refresh_interval_seconds=0)
        try:
            await authenticator.refresh()
            claims = await authenticator.authenticate(f"Bearer {issuer.issue('u-1', roles=['user'])}")
            assert claims is not None and claims.subject == "u-1"
            assert len(fetches) == 1
            assert await authenticator.authenticate(None) is None

            # Rotation: a new key signs; the verifier learns it on the first unknown kid.
            ring.add(SigningKey.generate("EdDSA"), active=True)
            rotated = await authenticator.authenticate(f"Bearer {issuer.issue('u-2', roles=['user'])}")
            assert rotated is not None and rotated.subject == "u-2"
            assert len(fetches) == 2
        finally:
            await authenticator.aclose()

        # With a cool-down, a flood of unknown kids does not turn into a flood of fetches.
        cautious = JwksAuthenticator(f"{url}/jwks", settings, min_refresh_interval_seconds=3600)
        stranger = TokenIssuer(KeyRing.ephemeral(), issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        try:
            # The first token triggers the initial fetch (nothing fetched yet) ...
            assert (await cautious.authenticate(f"Bearer {issuer.issue('u-3', roles=['user'])}")) is not None
            assert len(fetches) == 3
            for _ in range(3):
                with pytest.raises(InvalidToken):
                    await cautious.authenticate(f"Bearer {stranger.issue('evil', roles=['admin'])}")
            assert len(fetches) == 3
        finally:
            await cautious.aclose()


async def test_jwks_unreachable_means_rejected() -> None:
    settings = SubgraphSettings(jwks_url="http://127.0.0.1:9/jwks")
    authenticator = authenticator_for(settings)
    assert isinstance(authenticator, JwksAuthenticator)
    issuer = TokenIssuer(KeyRing.ephemeral(), issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    try:
        with pytest.raises(InvalidToken):
            await authenticator.authenticate(f"Bearer {issuer.issue('u-1', roles=['user'])}")
    finally:
        await authenticator.aclose()


def test_verified_tokens_are_cached_unless_turned_off() -> None:
    ring = KeyRing.ephemeral()
    cached = authenticator_for(SubgraphSettings(), keyring=ring)
    off = authenticator_for(SubgraphSettings(jwt_verify_cache_size=0), keyring=ring)
    assert isinstance(cached, VerifierAuthenticator) and isinstance(off, VerifierAuthenticator)
    assert cached.verifier.cache is not None and cached.verifier.cache.max_entries > 0
    assert off.verifier.cache is None
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        SubgraphSettings(jwt_verify_cache_size=-1)


async def test_jwks_refresh_without_the_key_refuses_a_cached_token() -> None:
    """A token verified (and cached) before its key left the JWKS is refused after the refresh."""
    ring = KeyRing.ephemeral()
    old_kid = ring.active.kid

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(ring.jwks())

    settings = SubgraphSettings()
    issuer = TokenIssuer(ring, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    token = f"Bearer {issuer.issue('u-1', roles=['user'])}"
    async with running_server(Starlette(routes=[Route("/jwks", jwks)])) as url:
        authenticator = JwksAuthenticator(f"{url}/jwks", settings, min_refresh_interval_seconds=0)
        try:
            await authenticator.refresh()
            for _ in range(2):  # the second call is a cache hit
                claims = await authenticator.authenticate(token)
                assert claims is not None and claims.subject == "u-1"
            ring.add(SigningKey.generate("EdDSA"), active=True)
            ring.remove(old_kid)
            await authenticator.refresh()
            with pytest.raises(InvalidToken) as refused:
                await authenticator.authenticate(token)
            assert refused.value.reason == "unknown_kid"
        finally:
            await authenticator.aclose()
