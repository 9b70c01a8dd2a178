"""The authentication stage: real tokens verified against a JWKS served on loopback, and the
attacks of issue 4 (alg none, key confusion, expired / future tokens, wrong audience…)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError

from auth.keys import KeyRing, SigningKey
from router.security.authn import request_claims
from router.security.config import AuthConfig
from router.stages.authn import REJECTED_TOKENS, AuthnStage
from router.types import RequestContext
from tests.router.security.support import (
    AUDIENCE,
    ISSUER,
    JwksServer,
    Terminal,
    hs256_token,
    issuer_for,
    make_operation,
    serving_jwks,
    unsigned_token,
    valid_payload,
)

SECRET = b"s" * 40


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    ring = KeyRing()
    ring.add(SigningKey.generate("RS256", kid="rsa-1"), active=True)
    return ring


@pytest.fixture(scope="module")
async def jwks(ring: KeyRing) -> AsyncIterator[JwksServer]:
    async with serving_jwks(ring.active) as server:
        yield server


def stage_for(jwks: JwksServer, **overrides: Any) -> AuthnStage:
    settings: dict[str, Any] = {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks": [{"url": jwks.url, "min_refresh_interval": 0}],
        **overrides,
    }
    return AuthnStage(AuthConfig.model_validate(settings))


async def run(stage: AuthnStage, headers: dict[str, str]) -> tuple[Any, Terminal]:
    terminal = Terminal()
    operation = make_operation(headers=headers)
    response = await stage(operation, terminal)
    return response, terminal


def assert_unauthenticated(response: Any, terminal: Terminal) -> None:
    assert response.status_code == 401
    assert response.is_request_error
    assert response.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.body
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert terminal.reached == []


async def test_valid_token_sets_claims_and_forwards_the_bearer(ring: KeyRing, jwks: JwksServer) -> None:
    token = issuer_for(ring).issue("athlete-1", roles=["user"])
    terminal = Terminal()
    operation = make_operation(headers={"authorization": f"Bearer {token}"})
    response = await stage_for(jwks)(operation, terminal)
    assert response.body == {"data": {"ok": True}}
    context = terminal.reached[0].context
    claims = request_claims(context)
    assert claims is not None and claims.subject == "athlete-1"
    assert "workouts:read" in claims.scopes
    assert context.claims is not None and context.claims["sub"] == "athlete-1"
    assert context.subgraph_headers["authorization"] == f"Bearer {token}"
    assert context.bearer_token == token


async def test_no_token_is_anonymous(jwks: JwksServer) -> None:
    response, terminal = await run(stage_for(jwks), {})
    assert response.status_code is None
    context = terminal.reached[0].context
    assert request_claims(context) is None
    assert context.claims is None
    assert "authorization" not in context.subgraph_headers


async def test_identity_headers_are_not_identity(jwks: JwksServer) -> None:
    response, terminal = await run(stage_for(jwks), {"x-user-id": "admin-1", "x-user-roles": "admin"})
    assert response.body == {"data": {"ok": True}}
    assert request_claims(terminal.reached[0].context) is None


async def test_alg_none_is_refused(ring: KeyRing, jwks: JwksServer) -> None:
    before = REJECTED_TOKENS.labels(reason="algorithm_not_allowed")._value.get()
    token = unsigned_token(valid_payload(), {"alg": "none", "kid": ring.active.kid, "typ": "JWT"})
    assert_unauthenticated(*await run(stage_for(jwks), {"authorization": f"Bearer {token}"}))
    assert REJECTED_TOKENS.labels(reason="algorithm_not_allowed")._value.get() == before + 1


async def test_key_confusion_hs256_signed_with_the_public_key_is_refused(
    ring: KeyRing, jwks: JwksServer
) -> None:
    public_pem = ring.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hs256_token(valid_payload(), public_pem, kid=ring.active.kid)
    assert_unauthenticated(*await run(stage_for(jwks), {"authorization": f"Bearer {token}"}))
    # Even with HS256 configured the RSA public key is never used as the HMAC secret.
    stage = stage_for(jwks, algorithms=["RS256", "HS256"], hs256_secret=SECRET.decode())
    assert_unauthenticated(*await run(stage, {"authorization": f"Bearer {token}"}))


@pytest.mark.parametrize(
    ("offset", "audience", "issuer"),
    [
        (-3600.0, AUDIENCE, ISSUER),  # expired an hour ago (beyond the leeway)
        (3600.0, AUDIENCE, ISSUER),  # issued and valid only an hour from now
        (0.0, "another-api", ISSUER),  # minted for another audience
        (0.0, AUDIENCE, "https://evil.test"),  # minted by another issuer
    ],
    ids=["expired", "future", "wrong-audience", "wrong-issuer"],
)
async def test_invalid_claims_are_refused(
    ring: KeyRing, jwks: JwksServer, offset: float, audience: str, issuer: str
) -> None:
    token = issuer_for(ring, clock_offset=offset, audience=audience, issuer=issuer).issue("u", roles=["user"])
    assert_unauthenticated(*await run(stage_for(jwks), {"authorization": f"Bearer {token}"}))


async def test_small_clock_skew_is_within_the_leeway(ring: KeyRing, jwks: JwksServer) -> None:
    token = issuer_for(ring, clock_offset=10).issue("u", roles=["user"])
    response, terminal = await run(stage_for(jwks), {"authorization": f"Bearer {token}"})
    assert response.status_code is None and len(terminal.reached) == 1


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer", "Bearer " + "a" * 9000],
)
async def test_malformed_credentials_are_refused(jwks: JwksServer, authorization: str) -> None:
    assert_unauthenticated(*await run(stage_for(jwks), {"authorization": authorization}))


async def test_tampered_payload_is_refused(ring: KeyRing, jwks: JwksServer) -> None:
    token = issuer_for(ring).issue("u", roles=["user"])
    header, _, signature = token.split(".")
    forged = unsigned_token(valid_payload(roles=["admin"], scope="admin:users"), {}).split(".")[1]
    assert_unauthenticated(
        *await run(stage_for(jwks), {"authorization": f"Bearer {header}.{forged}.{signature}"})
    )


async def test_rotation_unknown_kid_is_fetched_once() -> None:
    first = SigningKey.generate("EdDSA", kid="gen-1")
    async with serving_jwks(first) as server:
        stage = stage_for(server)
        ring = KeyRing([first])
        response, _ = await run(
            stage, {"authorization": f"Bearer {issuer_for(ring).issue('u', roles=['user'])}"}
        )
        assert response.status_code is None
        assert server.fetches == 1
        second = SigningKey.generate("ES256", kid="gen-2")
        ring.add(second, active=True)
        server.publish(first, second)
        response, terminal = await run(
            stage, {"authorization": f"Bearer {issuer_for(ring).issue('v', roles=['user'])}"}
        )
        assert response.status_code is None
        claims = request_claims(terminal.reached[0].context)
        assert claims is not None and claims.subject == "v"
        assert server.fetches == 2


async def test_forged_kids_do_not_hammer_the_jwks(ring: KeyRing) -> None:
    async with serving_jwks(ring.active) as server:
        stage = AuthnStage(
            AuthConfig(
                issuer=ISSUER, audience=AUDIENCE, jwks=[{"url": server.url, "min_refresh_interval": 3600}]
            )  # type: ignore[list-item]
        )
        stranger = KeyRing.ephemeral()
        for _ in range(5):
            token = issuer_for(stranger).issue("u", roles=["user"])
            assert_unauthenticated(*await run(stage, {"authorization": f"Bearer {token}"}))
        # The initial load only: the floor holds the refreshes back.
        assert server.fetches == 1


async def test_token_from_the_configured_cookie(ring: KeyRing, jwks: JwksServer) -> None:
    token = issuer_for(ring).issue("cookie-user", roles=["user"])
    stage = stage_for(jwks, cookie="fg_session")
    response, terminal = await run(stage, {"cookie": f"theme=dark; fg_session={token}"})
    context = terminal.reached[0].context
    claims = request_claims(context)
    assert claims is not None and claims.subject == "cookie-user"
    assert context.subgraph_headers["authorization"] == f"Bearer {token}"
    # Without the cookie setting the same cookie means nothing.
    response, terminal = await run(stage_for(jwks), {"cookie": f"fg_session={token}"})
    assert request_claims(terminal.reached[0].context) is None
    # An invalid cookie token is refused like an invalid header.
    assert_unauthenticated(*await run(stage, {"cookie": "fg_session=garbage"}))


async def test_hs256_only_when_configured_with_a_secret(jwks: JwksServer) -> None:
    token = hs256_token(valid_payload("svc", scope="training:ingest"), SECRET)
    assert_unauthenticated(*await run(stage_for(jwks), {"authorization": f"Bearer {token}"}))
    stage = stage_for(jwks, algorithms=["RS256", "HS256"], hs256_secret=SECRET.decode())
    response, terminal = await run(stage, {"authorization": f"Bearer {token}"})
    claims = request_claims(terminal.reached[0].context)
    assert claims is not None and claims.scopes == frozenset({"training:ingest"})
    wrong = hs256_token(valid_payload("svc"), b"x" * 40)
    assert_unauthenticated(*await run(stage, {"authorization": f"Bearer {wrong}"}))


async def test_a_batch_verifies_once_and_shares_the_outcome(ring: KeyRing, jwks: JwksServer) -> None:
    import asyncio

    stage = stage_for(jwks)
    token = issuer_for(ring).issue("batch-user", roles=["user"])
    context = RequestContext(request_id="b", client_headers={"authorization": f"Bearer {token}"})
    terminal = Terminal()
    responses = await asyncio.gather(*(stage(make_operation(context=context), terminal) for _ in range(3)))
    assert all(response.status_code is None for response in responses)
    assert len(terminal.reached) == 3
    bad = RequestContext(request_id="c", client_headers={"authorization": "Bearer junk"})
    responses = await asyncio.gather(*(stage(make_operation(context=bad), terminal) for _ in range(3)))
    assert [response.status_code for response in responses] == [401, 401, 401]


def test_config_rejects_unsafe_settings() -> None:
    base = {"issuer": ISSUER, "audience": AUDIENCE, "jwks": [{"url": "http://127.0.0.1:1/jwks"}]}
    with pytest.raises(ValidationError, match="hs256_secret"):
        AuthConfig.model_validate({**base, "algorithms": ["HS256"]})
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        AuthConfig.model_validate({**base, "algorithms": ["HS256"], "hs256_secret": "short"})
    with pytest.raises(ValidationError, match="HS256 is not in `algorithms`"):
        AuthConfig.model_validate({**base, "hs256_secret": SECRET.decode()})
    with pytest.raises(ValidationError, match="unsupported algorithms: none"):
        AuthConfig.model_validate({**base, "algorithms": ["none"]})
    with pytest.raises(ValidationError, match="exactly one"):
        AuthConfig.model_validate({**base, "jwks": [{"url": "http://x/j", "file": "/tmp/j"}]})
    with pytest.raises(ValidationError, match="need at least one `jwks`"):
        AuthConfig.model_validate({"issuer": ISSUER, "audience": AUDIENCE})
    with pytest.raises(ValidationError, match="Extra inputs"):
        AuthConfig.model_validate({**base, "audiance": "typo"})
    # HS256 alone needs no JWKS.
    only_hs = AuthConfig.model_validate(
        {"issuer": ISSUER, "audience": AUDIENCE, "algorithms": ["HS256"], "hs256_secret": SECRET.decode()}
    )
    assert only_hs.algorithms == ("HS256",)


async def test_the_jwks_is_loaded_once_not_per_request(ring: KeyRing) -> None:
    async with serving_jwks(ring.active) as server:
        stage = stage_for(server)
        for subject in ("a", "b", "c"):
            response, _ = await run(
                stage, {"authorization": f"Bearer {issuer_for(ring).issue(subject, roles=['user'])}"}
            )
            assert response.status_code is None
        expired = issuer_for(ring, clock_offset=-7200).issue("u", roles=["user"])
        assert_unauthenticated(*await run(stage, {"authorization": f"Bearer {expired}"}))
        assert server.fetches == 1
