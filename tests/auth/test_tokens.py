"""Issue/verify round trips, claim contents, rotation, and time-based validation."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from auth.claims import Claims
from auth.errors import InvalidToken
from auth.keys import KeyRing, PublicKeySet, SigningKey
from auth.roles import scopes_for
from auth.tokens import TokenIssuer, TokenVerifier
from tests.auth.forge import forge, payload_of

ISSUER = "https://fitgraph.test"
AUDIENCE = "fitgraph"
NOW = 1_800_000_000


def _clock() -> float:
    return float(NOW)


@pytest.fixture(scope="module")
def rings() -> dict[str, KeyRing]:
    # RSA generation is slow: one ring per algorithm for the whole module.
    return {alg: KeyRing.ephemeral(alg) for alg in ("EdDSA", "RS256", "ES256")}


def _issuer(ring: KeyRing, **kwargs: object) -> TokenIssuer:
    return TokenIssuer(ring, issuer=ISSUER, audience=AUDIENCE, clock=_clock, **kwargs)  # type: ignore[arg-type]


def _verifier(keys: KeyRing | PublicKeySet, **kwargs: object) -> TokenVerifier:
    return TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, clock=_clock, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithm", ["EdDSA", "RS256", "ES256"])
def test_round_trip_through_jwks(rings: dict[str, KeyRing], algorithm: str) -> None:
    ring = rings[algorithm]
    token = _issuer(ring).issue(
        "user-1", roles=["user", "coach"], session_id="sess-9", extra={"region": "EU"}
    )
    claims = _verifier(PublicKeySet.from_jwks(ring.jwks())).verify(token)

    assert claims.subject == "user-1"
    assert claims.roles == frozenset({"user", "coach"})
    assert claims.scopes == scopes_for(["user", "coach"])
    assert claims.has_scope("coach:athletes") and claims.has_role("coach") and not claims.is_admin
    assert claims.session_id == "sess-9"
    assert claims.issued_at == NOW and claims.expires_at == NOW + 900
    assert len(claims.token_id) == 32
    assert claims.raw["region"] == "EU"


@pytest.mark.parametrize("algorithm", ["EdDSA", "RS256", "ES256"])
def test_tokens_are_standard_jws(rings: dict[str, KeyRing], algorithm: str) -> None:
    """An independent implementation (PyJWT) accepts our tokens: the header and claims are standard."""
    ring = rings[algorithm]
    token = TokenIssuer(ring, issuer=ISSUER, audience=[AUDIENCE, "router"]).issue("u", roles=["admin"])

    header = jwt.get_unverified_header(token)
    assert header == {"alg": algorithm, "kid": ring.active.kid, "typ": "JWT"}
    decoded = jwt.decode(
        token, ring.active.public_key, algorithms=[algorithm], audience="router", issuer=ISSUER
    )
    assert set(decoded) == {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "roles", "scope"}
    assert decoded["roles"] == ["admin"]
    assert set(decoded["scope"].split(" ")) == scopes_for(["admin"])
    assert decoded["exp"] - decoded["iat"] == 900


def test_verifier_accepts_any_of_several_audiences(rings: dict[str, KeyRing]) -> None:
    token = _issuer(rings["EdDSA"]).issue("u", roles=["user"])
    verifier = TokenVerifier(rings["EdDSA"], issuer=ISSUER, audience=["other", AUDIENCE], clock=_clock)
    assert verifier.verify(token).subject == "u"


def test_is_admin_and_ttl_override(rings: dict[str, KeyRing]) -> None:
    token = _issuer(rings["EdDSA"], ttl_seconds=60).issue("boss", roles=["user", "admin"], ttl_seconds=120)
    claims = _verifier(rings["EdDSA"]).verify(token)
    assert claims.is_admin and claims.has_scope("admin:users")
    assert claims.expires_at - claims.issued_at == 120


def test_explicit_service_scopes(rings: dict[str, KeyRing]) -> None:
    token = _issuer(rings["EdDSA"]).issue("device-gateway", roles=[], scopes=["training:ingest"])
    claims = _verifier(rings["EdDSA"]).verify(token)
    assert claims.scopes == frozenset({"training:ingest"}) and claims.roles == frozenset()


def test_issue_rejects_bad_input(rings: dict[str, KeyRing]) -> None:
    issuer = _issuer(rings["EdDSA"])
    with pytest.raises(ValueError, match="unknown role"):
        issuer.issue("u", roles=["superuser"])
    with pytest.raises(ValueError, match="single string"):
        issuer.issue("u", roles="admin")
    with pytest.raises(ValueError, match="registered claims: exp, sub"):
        issuer.issue("u", roles=["user"], extra={"sub": "someone-else", "exp": 1})
    with pytest.raises(ValueError, match="subject"):
        issuer.issue("", roles=["user"])
    with pytest.raises(ValueError, match="ttl_seconds"):
        issuer.issue("u", roles=["user"], ttl_seconds=0)
    with pytest.raises(ValueError, match="hs256_secret"):
        issuer.issue("u", roles=["user"], symmetric=True)


class TestRotation:
    def test_old_key_still_verifies_after_new_active_key(self) -> None:
        ring = KeyRing.ephemeral()
        old_kid = ring.active.kid
        old_token = _issuer(ring).issue("u", roles=["user"])
        ring.add(SigningKey.generate("ES256"), active=True)
        new_token = _issuer(ring).issue("u", roles=["user"])

        verifier = _verifier(ring)
        assert verifier.verify(old_token).subject == "u"
        assert verifier.verify(new_token).subject == "u"
        assert jwt.get_unverified_header(new_token)["kid"] == ring.active.kid != old_kid
        assert [k["kid"] for k in ring.jwks()["keys"]] == [ring.active.kid, old_kid]

    def test_retired_key_stops_signing_but_verifies(self) -> None:
        ring = KeyRing.ephemeral()
        first = ring.active.kid
        token = _issuer(ring).issue("u", roles=["user"])
        second = SigningKey.generate()
        ring.add(second)  # not active: the first key keeps signing
        assert ring.active.kid == first

        ring.retire(first)
        assert ring.active.kid == second.kid
        assert jwt.get_unverified_header(_issuer(ring).issue("u", roles=["user"]))["kid"] == second.kid
        assert _verifier(ring).verify(token).subject == "u"
        with pytest.raises(ValueError, match="retired"):
            ring.activate(first)

    def test_retiring_the_only_key_leaves_nothing_to_sign_with(self) -> None:
        ring = KeyRing.ephemeral()
        ring.retire(ring.active.kid)
        with pytest.raises(LookupError):
            _issuer(ring).issue("u", roles=["user"])

    def test_removed_key_stops_verifying(self) -> None:
        ring = KeyRing.ephemeral()
        old = ring.active.kid
        token = _issuer(ring).issue("u", roles=["user"])
        ring.add(SigningKey.generate(), active=True)
        verifier = _verifier(ring)  # a verifier built on the ring sees later changes
        snapshot = _verifier(PublicKeySet.from_keyring(ring))

        ring.remove(old)
        with pytest.raises(InvalidToken) as excinfo:
            verifier.verify(token)
        assert excinfo.value.reason == "unknown_kid"
        assert snapshot.verify(token).subject == "u"  # a JWKS snapshot changes only on refetch
        assert [k["kid"] for k in ring.jwks()["keys"]] == [ring.active.kid]


class TestTime:
    @pytest.fixture(scope="class")
    def ring(self) -> KeyRing:
        return KeyRing.ephemeral()

    def _token(self, ring: KeyRing, **claims: object) -> str:
        payload: dict[str, object] = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "iat": NOW, "exp": NOW + 60}
        payload.update(claims)
        return forge(
            {"alg": "EdDSA", "kid": ring.active.kid},
            {k: v for k, v in payload.items() if v is not None},
            ring.active,
        )

    def test_expired(self, ring: KeyRing) -> None:
        token = self._token(ring, iat=NOW - 1000, exp=NOW - 31)
        with pytest.raises(InvalidToken) as excinfo:
            _verifier(ring).verify(token)
        assert excinfo.value.reason == "expired"

    def test_expiry_leeway_is_honoured(self, ring: KeyRing) -> None:
        token = self._token(ring, iat=NOW - 1000, exp=NOW - 29)
        assert _verifier(ring).verify(token).expires_at == NOW - 29
        with pytest.raises(InvalidToken, match="expired"):
            _verifier(ring, leeway_seconds=0).verify(token)

    def test_expiry_boundary_is_exclusive(self, ring: KeyRing) -> None:
        # RFC 7519 §4.1.4: valid only *before* exp.
        with pytest.raises(InvalidToken, match="expired"):
            _verifier(ring, leeway_seconds=0).verify(self._token(ring, exp=NOW))
        assert _verifier(ring, leeway_seconds=0).verify(self._token(ring, exp=NOW + 1)).subject == "u"

    def test_nbf_in_the_future(self, ring: KeyRing) -> None:
        token = self._token(ring, nbf=NOW + 31)
        with pytest.raises(InvalidToken) as excinfo:
            _verifier(ring).verify(token)
        assert excinfo.value.reason == "not_yet_valid"

    def test_nbf_within_leeway(self, ring: KeyRing) -> None:
        token = self._token(ring, nbf=NOW + 30)
        assert _verifier(ring).verify(token).subject == "u"
        with pytest.raises(InvalidToken, match="not_yet_valid"):
            _verifier(ring, leeway_seconds=5).verify(token)

    def test_iat_in_the_future(self, ring: KeyRing) -> None:
        with pytest.raises(InvalidToken, match=r"not_yet_valid: .*\(iat\)"):
            _verifier(ring).verify(self._token(ring, iat=NOW + 31, exp=NOW + 600))

    def test_issued_token_expires_after_ttl(self, ring: KeyRing) -> None:
        token = _issuer(ring, ttl_seconds=300).issue("u", roles=["user"])
        later = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, clock=lambda: NOW + 300 + 30)
        with pytest.raises(InvalidToken, match="expired"):
            later.verify(token)
        just_before = TokenVerifier(ring, issuer=ISSUER, audience=AUDIENCE, clock=lambda: NOW + 329)
        assert just_before.verify(token).subject == "u"


def test_claims_are_comparable_values() -> None:
    a = Claims("u", frozenset({"user"}), frozenset({"profile:read"}), 1, 2, "j", None, {"x": 1})
    b = Claims("u", frozenset({"user"}), frozenset({"profile:read"}), 1, 2, "j", None, {"y": 2})
    assert a == b and hash(a) == hash(b)
    assert not a.is_admin and a.has_scope("profile:read") and not a.has_scope("profile:write")


def test_payload_helper_sees_issued_claims(rings: dict[str, KeyRing]) -> None:
    token = _issuer(rings["EdDSA"]).issue("u", roles=["bi"], session_id="s1")
    payload = payload_of(token)
    assert payload["sid"] == "s1" and payload["scope"] == "bi:read profile:read profile:write"


def test_raw_claims_are_read_only(rings: dict[str, KeyRing]) -> None:
    claims = _verifier(rings["EdDSA"]).verify(_issuer(rings["EdDSA"]).issue("u", roles=["user"]))
    with pytest.raises(TypeError):
        claims.raw["sub"] = "admin"  # type: ignore[index]
    with pytest.raises(AttributeError):
        claims.subject = "admin"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("required", "expected"),
    [
        ([], True),
        ([["profile:read"]], True),
        ([["profile:read", "admin:users"]], False),
        ([["admin:users"], ["profile:read", "workouts:read"]], True),
        ([["admin:users"], ["bi:read"]], False),
        ([[]], True),
    ],
)
def test_requires_scopes_semantics(required: list[list[str]], expected: bool) -> None:
    claims = Claims("u", frozenset({"user"}), scopes_for(["user"]), 1, 2, "j")
    assert claims.satisfies(required) is expected
    assert claims.has_all_scopes(["profile:read", "workouts:write"])
    assert not claims.has_all_scopes(["profile:read", "admin:users"])


def test_custom_key_source(rings: dict[str, KeyRing]) -> None:
    """The router can plug its own JWKS cache in: anything with verification_key(kid) works."""

    class _Lookups:
        def __init__(self, ring: KeyRing) -> None:
            self.ring = ring
            self.asked: list[str] = []

        def verification_key(self, kid: str) -> tuple[Any, str] | None:
            self.asked.append(kid)
            return self.ring.verification_key(kid)

    source = _Lookups(rings["ES256"])
    token = _issuer(rings["ES256"]).issue("u", roles=["user"])
    assert _verifier(source).verify(token).subject == "u"  # type: ignore[arg-type]
    assert source.asked == [rings["ES256"].active.kid]
