"""A JWKS published over real HTTP, fetched and used for verification across a key rotation."""

from __future__ import annotations

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auth.errors import InvalidToken
from auth.keys import KeyRing, PublicKeySet, SigningKey
from auth.tokens import TokenIssuer, TokenVerifier
from tests.support.servers import running_server

ISSUER = "https://fitgraph.test"
AUDIENCE = "fitgraph"


def _jwks_app(ring: KeyRing) -> Starlette:
    async def jwks(_: Request) -> Response:
        return Response(orjson.dumps(ring.jwks()), media_type="application/jwk-set+json")

    return Starlette(routes=[Route("/.well-known/jwks.json", jwks)])


async def _fetch(client: httpx.AsyncClient, base_url: str) -> TokenVerifier:
    response = await client.get(f"{base_url}/.well-known/jwks.json")
    response.raise_for_status()
    assert response.headers["content-type"] == "application/jwk-set+json"
    return TokenVerifier(PublicKeySet.from_jwks(response.content), issuer=ISSUER, audience=AUDIENCE)


async def test_rotation_seen_through_published_jwks() -> None:
    ring = KeyRing.ephemeral("EdDSA")
    issuer = TokenIssuer(ring, issuer=ISSUER, audience=AUDIENCE)
    async with running_server(_jwks_app(ring)) as base_url, httpx.AsyncClient() as client:
        before = await _fetch(client, base_url)
        old_token = issuer.issue("u-1", roles=["user"])
        assert before.verify(old_token).subject == "u-1"

        old_kid = ring.active.kid
        ring.add(SigningKey.generate("ES256"), active=True)
        new_token = issuer.issue("u-2", roles=["coach"])
        with pytest.raises(InvalidToken) as excinfo:
            before.verify(new_token)  # the stale copy does not know the new kid yet
        assert excinfo.value.reason == "unknown_kid"

        after = await _fetch(client, base_url)
        assert after.verify(new_token).has_scope("coach:athletes")
        assert after.verify(old_token).subject == "u-1"

        ring.retire(old_kid)
        ring.remove(old_kid)
        final = await _fetch(client, base_url)
        with pytest.raises(InvalidToken, match="unknown_kid"):
            final.verify(old_token)
        assert final.verify(new_token).subject == "u-2"
