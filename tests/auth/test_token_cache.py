"""The verified-token cache: a repeated token skips the signature check, never a refusal.

The central property (``test_cached_and_uncached_verifiers_agree``): at every instant and after
every key change, a verifier with a cache accepts exactly the tokens a verifier without one
accepts, with the same claims, and refuses the others with the same reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from auth.claims import Claims
from auth.errors import InvalidToken, InvalidTokenReason
from auth.keys import KeyRing, PublicKey, PublicKeySet, SigningKey
from auth.token_cache import VerifiedTokenCache
from auth.tokens import TokenIssuer, TokenVerifier
from tests.auth.forge import forge, forge_hs256

ISSUER = "https://fitgraph.test"
AUDIENCE = "fitgraph"
NOW = 1_800_000_000
LEEWAY = 30
SECRET = b"s" * 32


class _Clock:
    """A clock the test moves (forwards and backwards)."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class _CountingKeys:
    """A key source that counts lookups: a full verification looks the kid up once."""

    def __init__(self, keys: dict[str, tuple[PublicKey, str]]) -> None:
        self.keys = keys
        self.lookups = 0

    def verification_key(self, kid: str) -> tuple[PublicKey, str] | None:
        self.lookups += 1
        return self.keys.get(kid)


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing.ephemeral("EdDSA")


def _verifier(keys: Any, clock: _Clock, cache_size: int = 0, **kwargs: Any) -> TokenVerifier:
    return TokenVerifier(
        keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        clock=clock,
        leeway_seconds=LEEWAY,
        cache_size=cache_size,
        **kwargs,
    )


def _token(ring: KeyRing, clock: _Clock, subject: str = "user-1", ttl: int = 900) -> str:
    issuer = TokenIssuer(ring, issuer=ISSUER, audience=AUDIENCE, clock=clock, ttl_seconds=ttl)
    return issuer.issue(subject, roles=["user"], session_id="s-1")


def _claims(**overrides: Any) -> dict[str, Any]:
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + 900,
        "roles": ["user"],
        "scope": "profile:read",
    }
    payload.update(overrides)
    return payload


def _outcome(verifier: TokenVerifier, token: str) -> Claims | InvalidTokenReason:
    try:
        return verifier.verify(token)
    except InvalidToken as error:
        return error.reason


def test_repeated_token_is_served_from_the_cache(ring: KeyRing) -> None:
    clock = _Clock()
    keys = _CountingKeys({ring.active.kid: ring.verification_key(ring.active.kid)})  # type: ignore[dict-item]
    verifier = _verifier(keys, clock, cache_size=8)
    token = _token(ring, clock)

    first = verifier.verify(token)
    lookups_after_first = keys.lookups
    second = verifier.verify(token)
    through_header = verifier.verify_bearer(f"Bearer {token}")

    assert first == second == through_header
    assert second.subject == "user-1" and second.session_id == "s-1"
    # Each hit still asks the key source whether the kid resolves to the same key, and nothing else.
    assert lookups_after_first == 1
    assert keys.lookups == 3


def test_cache_is_off_by_default(ring: KeyRing) -> None:
    clock = _Clock()
    keys = _CountingKeys({ring.active.kid: ring.verification_key(ring.active.kid)})  # type: ignore[dict-item]
    verifier = _verifier(keys, clock)
    token = _token(ring, clock)
    assert verifier.verify(token) == verifier.verify(token)
    assert keys.lookups == 2


@pytest.mark.parametrize(
    ("moved_to", "reason"),
    [
        (NOW + 900 + LEEWAY, InvalidTokenReason.EXPIRED),  # exp reached (plus leeway)
        (NOW - LEEWAY - 1, InvalidTokenReason.NOT_YET_VALID),  # clock set back before nbf/iat
    ],
)
def test_cached_token_is_refused_when_the_clock_says_so(
    ring: KeyRing, moved_to: int, reason: InvalidTokenReason
) -> None:
    clock = _Clock()
    verifier = _verifier(ring, clock, cache_size=8)
    token = _token(ring, clock)
    verifier.verify(token)

    clock.now = moved_to
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason is reason


def test_cached_token_is_still_accepted_within_the_leeway(ring: KeyRing) -> None:
    clock = _Clock()
    verifier = _verifier(ring, clock, cache_size=8)
    token = _token(ring, clock)
    verifier.verify(token)
    clock.now = NOW + 900 + LEEWAY - 1
    assert verifier.verify(token).subject == "user-1"


def test_nbf_alone_is_rechecked(ring: KeyRing) -> None:
    """A token whose nbf is later than its iat: moving the clock back below nbf refuses it."""
    key = ring.active
    clock = _Clock(NOW + 100)
    verifier = _verifier(ring, clock, cache_size=8)
    token = forge({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}, _claims(nbf=NOW + 100), key)
    assert verifier.verify(token).subject == "user-1"

    clock.now = NOW + 100 - LEEWAY - 1
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason is InvalidTokenReason.NOT_YET_VALID


def test_removed_key_refuses_cached_tokens() -> None:
    """Rotation: once a key is removed from the ring, tokens it signed stop verifying at once."""
    clock = _Clock()
    ring = KeyRing.ephemeral("EdDSA")
    old = ring.active
    verifier = _verifier(ring, clock, cache_size=8)
    token = _token(ring, clock)
    verifier.verify(token)

    ring.add(SigningKey.generate("EdDSA"), active=True)
    assert verifier.verify(token).subject == "user-1"  # retired-but-present keys still verify
    ring.remove(old.kid)
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason is InvalidTokenReason.UNKNOWN_KID


def test_replaced_key_under_the_same_kid_refuses_cached_tokens(ring: KeyRing) -> None:
    clock = _Clock()
    kid = ring.active.kid
    keys = _CountingKeys({kid: ring.verification_key(kid)})  # type: ignore[dict-item]
    verifier = _verifier(keys, clock, cache_size=8)
    token = _token(ring, clock)
    verifier.verify(token)

    other = SigningKey.generate("EdDSA")
    keys.keys[kid] = (other.public_key, "EdDSA")
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason is InvalidTokenReason.BAD_SIGNATURE


def test_changed_issuer_refuses_cached_tokens(ring: KeyRing) -> None:
    clock = _Clock()
    verifier = _verifier(ring, clock, cache_size=8)
    token = _token(ring, clock)
    verifier.verify(token)
    verifier.issuer = "https://someone-else.test"
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason is InvalidTokenReason.INVALID_ISSUER


def test_refused_tokens_are_never_cached(ring: KeyRing) -> None:
    """A forged token is checked (and refused) in full every time; it takes no cache slot."""
    clock = _Clock()
    key = ring.active
    forged = forge({"alg": "EdDSA", "kid": key.kid}, _claims(), SigningKey.generate("EdDSA"))
    verifier = _verifier(ring, clock, cache_size=4)
    for _ in range(3):
        with pytest.raises(InvalidToken) as refused:
            verifier.verify(forged)
        assert refused.value.reason is InvalidTokenReason.BAD_SIGNATURE
    assert verifier.cache is not None and len(verifier.cache) == 0


def test_same_claims_with_another_signature_are_not_a_hit(ring: KeyRing) -> None:
    """The key is the whole token string: a valid token's header and payload with a forged
    signature is a different string, verified in full and refused."""
    clock = _Clock()
    verifier = _verifier(ring, clock, cache_size=8)
    token = _token(ring, clock)
    verifier.verify(token)
    head, body, _signature = token.split(".")
    forged_signature = forge({"alg": "EdDSA"}, {}, SigningKey.generate("EdDSA")).split(".")[2]
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(f"{head}.{body}.{forged_signature}")
    assert refused.value.reason is InvalidTokenReason.BAD_SIGNATURE


def test_hs256_tokens_are_cached_too() -> None:
    clock = _Clock()
    verifier = _verifier(PublicKeySet(), clock, cache_size=8, hs256_secret=SECRET)
    token = forge_hs256({"alg": "HS256", "typ": "JWT"}, _claims(), SECRET)
    assert verifier.verify(token) == verifier.verify(token)
    clock.now = NOW + 900 + LEEWAY
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(token)
    assert refused.value.reason is InvalidTokenReason.EXPIRED


def test_cache_is_bounded_and_evicts_the_least_recently_used(ring: KeyRing) -> None:
    clock = _Clock()
    cache = VerifiedTokenCache(2)
    claims = {name: _outcome(_verifier(ring, clock), _token(ring, clock, name)) for name in "abc"}
    for name, value in claims.items():
        assert isinstance(value, Claims)
        cache.put(name, value, issuer=ISSUER, not_before=None, algorithm="EdDSA")
        if name == "b":
            assert cache.get("a", now=NOW, leeway=LEEWAY, issuer=ISSUER, keys=ring) is not None
    # "b" was the least recently used when "c" arrived.
    assert len(cache) == 2
    assert cache.get("b", now=NOW, leeway=LEEWAY, issuer=ISSUER, keys=ring) is None
    assert cache.get("a", now=NOW, leeway=LEEWAY, issuer=ISSUER, keys=ring) == claims["a"]
    assert cache.get("c", now=NOW, leeway=LEEWAY, issuer=ISSUER, keys=ring) == claims["c"]


def test_cached_and_uncached_verifiers_agree(ring: KeyRing) -> None:
    """Across a sweep of instants (each exp/nbf/iat boundary ±1 s), with the clock going
    forwards and back, both verifiers give the same outcome for every token."""
    clock = _Clock()
    key = ring.active
    header = {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
    tokens = [
        _token(ring, clock, "plain"),
        _token(ring, clock, "short", ttl=5),
        forge(header, _claims(sub="late-nbf", nbf=NOW + 60), key),
        forge(header, _claims(sub="no-nbf", nbf=None), key),
        forge(header, _claims(sub="future-iat", iat=NOW + 45), key),
        forge(header, _claims(sub="wrong-aud", aud="elsewhere"), key),
        forge(header, _claims(sub="forged"), SigningKey.generate("EdDSA")),
    ]
    boundaries = {NOW, NOW + 5, NOW + 45, NOW + 60, NOW + 900}
    instants = sorted({b + d + s for b in boundaries for d in (-LEEWAY, 0, LEEWAY) for s in (-1, 0, 1)})
    sweep = [*instants, *reversed(instants), *instants]
    cached = _verifier(ring, clock, cache_size=3)  # smaller than the set: eviction happens too
    plain = _verifier(ring, clock)
    accepted = 0
    for moment in sweep:
        clock.now = moment
        for token in tokens:
            expected = _outcome(plain, token)
            assert _outcome(cached, token) == expected, (moment, token)
            accepted += isinstance(expected, Claims)
    assert accepted > 0


def test_bad_sizes_are_refused(ring: KeyRing) -> None:
    with pytest.raises(ValueError, match="cache_size"):
        _verifier(ring, _Clock(), cache_size=-1)
    with pytest.raises(ValueError, match="max_entries"):
        VerifiedTokenCache(0)
