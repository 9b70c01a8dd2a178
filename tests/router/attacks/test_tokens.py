"""Forged and stale bearer tokens against the real router (auth from router.yaml, JWKS served
by the real users subgraph): each is refused with 401 UNAUTHENTICATED before any subgraph
sees the request. A valid token from the same key ring is the control that proves the
counting works."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import httpx
import orjson
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from auth._b64 import b64url_encode
from auth.keys import KeyRing, SigningKey
from auth.tokens import TokenIssuer
from tests.router.attacks.probe import Outcome, codes, probe
from tests.router.attacks.stack import AUDIENCE, ISSUER, FitGraphStack

QUERY = {"query": "{ me { id displayName } }"}
SUBJECT = "00000000-0000-4000-8000-000000000001"


def _segment(value: dict[str, Any]) -> str:
    return b64url_encode(orjson.dumps(value))


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": SUBJECT, "roles": ["admin"], "iat": now, "nbf": now,
            "exp": now + 600, **changes}


def _hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url_encode(signature)}"


def _assert_refused(outcome: Outcome) -> None:
    assert outcome.status == 401, str(outcome)
    assert codes(outcome.body) == ["UNAUTHENTICATED"], str(outcome)
    assert "data" not in outcome.body, str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


async def test_a_valid_token_reaches_the_subgraph(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    # The control: the same request with an honest token is answered by the users subgraph.
    outcome = await probe(router, stack, QUERY, token=stack.token(SUBJECT))
    assert outcome.status == 200, str(outcome)
    assert "me" in outcome.body["data"], str(outcome)
    assert "UNAUTHENTICATED" not in codes(outcome.body), str(outcome)
    assert outcome.subgraph_calls == 1, str(outcome)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none_is_refused(router: httpx.AsyncClient, stack: FitGraphStack, alg: str) -> None:
    header = {"alg": alg, "typ": "JWT", "kid": stack.ring.active.kid}
    for token in (f"{_segment(header)}.{_segment(_claims())}.", f"{_segment(header)}.{_segment(_claims())}"):
        _assert_refused(await probe(router, stack, QUERY, token=token))


async def test_a_real_signature_over_alg_none_is_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    # A genuine signature taken from a valid token, pasted under an `alg: none` header.
    signature = stack.token(SUBJECT).rsplit(".", 1)[1]
    header = {"alg": "none", "kid": stack.ring.active.kid}
    _assert_refused(await probe(router, stack, QUERY, token=f"{_segment(header)}.{_segment(_claims())}.{signature}"))


@pytest.mark.parametrize("encoding", [PublicFormat.SubjectPublicKeyInfo, PublicFormat.PKCS1])
async def test_key_confusion_hs256_with_the_rsa_public_key_is_refused(
    router: httpx.AsyncClient, stack: FitGraphStack, encoding: PublicFormat
) -> None:
    # The attacker knows the public key (it is in the JWKS) and uses it as an HMAC secret.
    active = stack.ring.active
    public_pem = active.public_key.public_bytes(Encoding.PEM, encoding)  # type: ignore[union-attr]
    async with httpx.AsyncClient() as client:
        public_jwks = (await client.get(stack.jwks_url)).content
    for secret in (public_pem, public_pem.strip(), public_jwks):
        token = _hs256({"alg": "HS256", "typ": "JWT", "kid": active.kid}, _claims(), secret)
        _assert_refused(await probe(router, stack, QUERY, token=token))


async def test_a_token_signed_by_a_foreign_key_with_a_known_kid_is_refused(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    impostor = KeyRing([SigningKey.generate("RS256", kid=stack.ring.active.kid)])
    token = TokenIssuer(impostor, issuer=ISSUER, audience=AUDIENCE).issue(SUBJECT, roles=["admin"])
    _assert_refused(await probe(router, stack, QUERY, token=token))


async def test_a_tampered_payload_is_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    header, _payload, signature = stack.token(SUBJECT).split(".")
    forged = f"{header}.{_segment(_claims(roles=['admin'], scope='admin:users'))}.{signature}"
    _assert_refused(await probe(router, stack, QUERY, token=forged))


@pytest.mark.parametrize(
    ("label", "options"),
    [
        ("expired an hour ago", {"clock_offset": -3 * 3600}),
        ("issued an hour in the future", {"clock_offset": 3600}),
        ("for another audience", {"audience": "someone-else"}),
        ("from another issuer", {"issuer": "https://evil.example"}),
    ],
)
async def test_stale_or_misaddressed_tokens_are_refused(
    router: httpx.AsyncClient, stack: FitGraphStack, label: str, options: dict[str, Any]
) -> None:
    _assert_refused(await probe(router, stack, QUERY, token=stack.token(SUBJECT, **options)))


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b.c",
        "..",
        "eyJ.eyJ.eyJ",
        "x" * 20_000,
        b64url_encode(b"[]") + "." + b64url_encode(b"{}") + ".",
        b64url_encode(b'{"alg":"RS256","kid":[1]}') + "." + b64url_encode(b"{}") + ".AAAA",
    ],
)
async def test_garbage_tokens_are_refused(router: httpx.AsyncClient, stack: FitGraphStack, token: str) -> None:
    _assert_refused(await probe(router, stack, QUERY, token=token))


async def test_clock_skew_within_the_leeway_is_accepted_and_beyond_it_refused(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    # router.yaml keeps the default 30 s leeway: a token issued 10 s "in the future" by a
    # slightly fast clock passes; an `nbf` two minutes ahead does not.
    fast_clock = await probe(router, stack, QUERY, token=stack.token(SUBJECT, clock_offset=10))
    assert fast_clock.status == 200, str(fast_clock)
    assert "UNAUTHENTICATED" not in codes(fast_clock.body), str(fast_clock)
    _assert_refused(await probe(router, stack, QUERY, token=stack.token(SUBJECT, clock_offset=120)))


async def test_an_expired_admin_token_does_not_unlock_introspection(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    expired = stack.issuer(clock_offset=-3 * 3600).issue(SUBJECT, roles=["admin"])
    _assert_refused(await probe(router, stack, {"query": "{ __schema { queryType { name } } }"}, token=expired))
