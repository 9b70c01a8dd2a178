"""Malicious and malformed tokens, built by hand, must all be rejected with a clear reason."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from auth.errors import AuthError, InvalidToken
from auth.keys import KeyRing, PublicKeySet, SigningKey
from auth.tokens import TokenIssuer, TokenVerifier
from tests.auth.forge import b64url, forge, forge_hs256, segment

ISSUER = "https://fitgraph.test"
AUDIENCE = "fitgraph"
NOW = 1_800_000_000
SECRET = b"s" * 32


def _clock() -> float:
    return float(NOW)


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing.ephemeral("RS256")


@pytest.fixture(scope="module")
def verifier(ring: KeyRing) -> TokenVerifier:
    return TokenVerifier(PublicKeySet.from_jwks(ring.jwks()), issuer=ISSUER, audience=AUDIENCE, clock=_clock)


def _payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "victim",
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + 600,
        "jti": "j1",
        "roles": ["user"],
        "scope": "profile:read",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def _header(ring: KeyRing, **overrides: Any) -> dict[str, Any]:
    header: dict[str, Any] = {"alg": "RS256", "kid": ring.active.kid, "typ": "JWT"}
    header.update(overrides)
    return {k: v for k, v in header.items() if v is not None}


def _reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as excinfo:
        verifier.verify(token)
    assert isinstance(excinfo.value, AuthError) and excinfo.value.code == "UNAUTHENTICATED"
    return excinfo.value.reason.value


def test_well_formed_forged_token_is_accepted(ring: KeyRing, verifier: TokenVerifier) -> None:
    """Control: the hand-built tokens below differ from a valid one only in what each test changes."""
    claims = verifier.verify(forge(_header(ring), _payload(), ring.active))
    assert claims.subject == "victim" and claims.scopes == frozenset({"profile:read"})


def test_tampered_payload(ring: KeyRing, verifier: TokenVerifier) -> None:
    header_seg, _, signature_seg = forge(_header(ring), _payload(), ring.active).split(".")
    escalated = segment(_payload(roles=["admin"], scope="admin:users"))
    assert _reason(verifier, f"{header_seg}.{escalated}.{signature_seg}") == "bad_signature"


def test_tampered_signature(ring: KeyRing, verifier: TokenVerifier) -> None:
    header_seg, payload_seg, signature_seg = forge(_header(ring), _payload(), ring.active).split(".")
    flipped = bytearray(base64.urlsafe_b64decode(signature_seg + "=="))
    flipped[10] ^= 0x01
    assert _reason(verifier, f"{header_seg}.{payload_seg}.{b64url(bytes(flipped))}") == "bad_signature"


def test_signature_from_another_key_with_same_kid(ring: KeyRing, verifier: TokenVerifier) -> None:
    impostor = SigningKey.generate("RS256", kid=ring.active.kid)
    assert _reason(verifier, forge(_header(ring), _payload(), impostor)) == "bad_signature"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_alg_none(ring: KeyRing, verifier: TokenVerifier, alg: str) -> None:
    token = forge(_header(ring, alg=alg), _payload())
    assert token.endswith(".")
    assert _reason(verifier, token) == "algorithm_not_allowed"


def test_alg_none_with_a_signature_segment_still_rejected(ring: KeyRing, verifier: TokenVerifier) -> None:
    token = f"{segment({'alg': 'none'})}.{segment(_payload())}.{b64url(b'x')}"
    assert _reason(verifier, token) == "algorithm_not_allowed"


def test_alg_outside_allow_list(ring: KeyRing) -> None:
    only_eddsa = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, algorithms=["EdDSA"], clock=_clock)
    assert _reason(only_eddsa, forge(_header(ring), _payload(), ring.active)) == "algorithm_not_allowed"
    for alg in ("RS512", "PS256", "HS512", "ES384"):
        assert (
            _reason(only_eddsa, forge(_header(ring, alg=alg), _payload(), ring.active))
            == "algorithm_not_allowed"
        )


def test_alg_must_match_the_key_registered_for_kid(verifier: TokenVerifier, ring: KeyRing) -> None:
    """An ES256 header on an RSA kid is refused before any signature check."""
    es_key = SigningKey.generate("ES256", kid=ring.active.kid)
    assert _reason(verifier, forge(_header(ring, alg="ES256"), _payload(), es_key)) == "algorithm_not_allowed"


def test_hs256_signed_with_rsa_public_key_pem_is_rejected(ring: KeyRing, verifier: TokenVerifier) -> None:
    """Key confusion: the attacker knows the public key and uses its PEM as an HMAC secret."""
    public_pem = ring.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = forge_hs256(_header(ring, alg="HS256"), _payload(roles=["admin"]), public_pem)
    assert _reason(verifier, token) == "algorithm_not_allowed"
    # Even a verifier that allows HS256 (with its own secret) checks HS tokens only against that secret.
    dev = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, hs256_secret=SECRET, clock=_clock)
    assert _reason(dev, token) == "bad_signature"
    jwk_text = segment(ring.jwks())
    assert (
        _reason(dev, forge_hs256(_header(ring, alg="HS256"), _payload(), jwk_text.encode()))
        == "bad_signature"
    )


def test_hs256_only_with_explicit_secret(ring: KeyRing, verifier: TokenVerifier) -> None:
    token = forge_hs256({"alg": "HS256", "typ": "JWT"}, _payload(), SECRET)
    assert _reason(verifier, token) == "algorithm_not_allowed"
    with pytest.raises(ValueError, match="explicit hs256_secret"):
        TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, algorithms=["HS256"])
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, hs256_secret=b"short")

    dev = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, hs256_secret=SECRET, clock=_clock)
    assert dev.verify(token).subject == "victim"
    assert "HS256" in dev.algorithms and "HS256" not in verifier.algorithms
    assert _reason(dev, forge_hs256({"alg": "HS256"}, _payload(), b"t" * 32)) == "bad_signature"


def test_hs256_issue_and_verify_round_trip(ring: KeyRing) -> None:
    issuer = TokenIssuer(ring, issuer=ISSUER, audience=AUDIENCE, hs256_secret=SECRET, clock=_clock)
    token = issuer.issue("dev-user", roles=["user"], symmetric=True)
    dev = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, hs256_secret=SECRET, clock=_clock)
    assert dev.verify(token).subject == "dev-user"
    strict = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, clock=_clock)
    assert _reason(strict, token) == "algorithm_not_allowed"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "someone-else"}, "invalid_audience"),
        ({"aud": ["a", "b"]}, "invalid_audience"),
        ({"aud": [AUDIENCE, 7]}, "invalid_claim"),
        ({"iss": "https://evil.example"}, "invalid_issuer"),
        ({"iss": ISSUER + "/"}, "invalid_issuer"),
    ],
)
def test_wrong_audience_or_issuer(
    ring: KeyRing, verifier: TokenVerifier, overrides: dict[str, Any], reason: str
) -> None:
    assert _reason(verifier, forge(_header(ring), _payload(**overrides), ring.active)) == reason


def test_audience_list_containing_ours_is_accepted(ring: KeyRing, verifier: TokenVerifier) -> None:
    token = forge(_header(ring), _payload(aud=["router", AUDIENCE]), ring.active)
    assert verifier.verify(token).subject == "victim"


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "iss", "aud"])
def test_missing_required_claim(ring: KeyRing, verifier: TokenVerifier, claim: str) -> None:
    with pytest.raises(InvalidToken) as excinfo:
        verifier.verify(forge(_header(ring), _payload(**{claim: None}), ring.active))
    assert excinfo.value.reason == "missing_claim" and claim in str(excinfo.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": ""},
        {"sub": 42},
        {"exp": "tomorrow"},
        {"exp": True},
        {"nbf": [1]},
        {"roles": "admin"},
        {"roles": [1]},
        {"scope": ["admin:users"]},
        {"sid": 5},
        {"jti": {}},
    ],
)
def test_ill_typed_claims(ring: KeyRing, verifier: TokenVerifier, overrides: dict[str, Any]) -> None:
    assert _reason(verifier, forge(_header(ring), _payload(**overrides), ring.active)) == "invalid_claim"


def test_unknown_and_missing_kid(ring: KeyRing, verifier: TokenVerifier) -> None:
    assert _reason(verifier, forge(_header(ring, kid="not-a-kid"), _payload(), ring.active)) == "unknown_kid"
    assert _reason(verifier, forge(_header(ring, kid=None), _payload(), ring.active)) == "missing_kid"
    assert _reason(verifier, forge(_header(ring, kid=["x"]), _payload(), ring.active)) == "missing_kid"


def test_crit_header_is_rejected(ring: KeyRing, verifier: TokenVerifier) -> None:
    token = forge(_header(ring, crit=["exp"]), _payload(), ring.active)
    assert _reason(verifier, token) == "malformed"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        f"{segment([1, 2])}.{segment({})}.{b64url(b'sig')}",
        f"{segment({'alg': 'RS256'})}.{b64url(b'not json')}.{b64url(b'sig')}",
        f"{segment({'alg': 'RS256'})}=.{segment({})}.{b64url(b'sig')}",
        "x" * 9000,
    ],
)
def test_malformed_tokens(verifier: TokenVerifier, token: str) -> None:
    assert _reason(verifier, token) == "malformed"


def test_empty_signature_with_real_alg(ring: KeyRing, verifier: TokenVerifier) -> None:
    assert _reason(verifier, forge(_header(ring), _payload())) == "bad_signature"


class TestBearer:
    def test_absent_or_blank_header_is_anonymous(self, verifier: TokenVerifier) -> None:
        assert verifier.verify_bearer(None) is None
        assert verifier.verify_bearer("   ") is None

    def test_valid_bearer_any_case(self, ring: KeyRing, verifier: TokenVerifier) -> None:
        token = forge(_header(ring), _payload(), ring.active)
        for scheme in ("Bearer", "bearer", "BEARER"):
            claims = verifier.verify_bearer(f"{scheme} {token}")
            assert claims is not None and claims.subject == "victim"

    @pytest.mark.parametrize(
        "value", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc", "abc.def.ghi"]
    )
    def test_malformed_header(self, verifier: TokenVerifier, value: str) -> None:
        assert _reason_bearer(verifier, value) == "malformed"

    def test_invalid_token_in_header(self, ring: KeyRing, verifier: TokenVerifier) -> None:
        token = forge(_header(ring), _payload(exp=NOW - 3600, iat=NOW - 7200), ring.active)
        assert _reason_bearer(verifier, f"Bearer {token}") == "expired"


def _reason_bearer(verifier: TokenVerifier, value: str) -> str:
    with pytest.raises(InvalidToken) as excinfo:
        verifier.verify_bearer(value)
    return excinfo.value.reason.value


def test_key_embedded_in_header_is_ignored(ring: KeyRing, verifier: TokenVerifier) -> None:
    """An attacker's own key in a jwk/jku header must not be used to verify its signature."""
    attacker = SigningKey.generate("RS256")
    header = _header(ring, kid=attacker.kid, jwk=attacker.public_jwk(), jku="https://evil.example/jwks")
    assert _reason(verifier, forge(header, _payload(roles=["admin"]), attacker)) == "unknown_kid"
    header = _header(ring, jwk=attacker.public_jwk())
    assert _reason(verifier, forge(header, _payload(roles=["admin"]), attacker)) == "bad_signature"


def test_es256_signature_must_be_raw_r_s() -> None:
    ring = KeyRing.ephemeral("ES256")
    es_verifier = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, clock=_clock)
    header = {"alg": "ES256", "kid": ring.active.kid}
    good = forge(header, _payload(), ring.active)
    assert es_verifier.verify(good).subject == "victim"

    signing_input = good.rsplit(".", 1)[0].encode("ascii")
    private = ring.active.private_key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    der = private.sign(signing_input, ec.ECDSA(hashes.SHA256()))  # DER, as X.509 would use
    assert _reason(es_verifier, f"{signing_input.decode()}.{b64url(der)}") == "bad_signature"
    assert _reason(es_verifier, f"{signing_input.decode()}.{b64url(bytes(64))}") == "bad_signature"


def test_unsupported_algorithm_configuration() -> None:
    with pytest.raises(ValueError, match="unsupported algorithms: none"):
        TokenVerifier(PublicKeySet(), issuer=ISSUER, audience=AUDIENCE, algorithms=["EdDSA", "none"])
    with pytest.raises(ValueError, match="audience"):
        TokenVerifier(PublicKeySet(), issuer=ISSUER, audience=[])
    with pytest.raises(ValueError, match="leeway"):
        TokenVerifier(PublicKeySet(), issuer=ISSUER, audience=AUDIENCE, leeway_seconds=-1)
