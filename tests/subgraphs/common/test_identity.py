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
from subgraphs.common.identity import JwksAuthenticator, authenticator_for, load_or_create_keyring
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
