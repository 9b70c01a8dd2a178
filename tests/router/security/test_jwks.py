"""JWKS key sources: served on loopback, rotation through an unknown kid, the refresh floor,
failures that keep the last good keys, and a JWKS file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from auth.errors import InvalidToken
from auth.keys import KeyRing, SigningKey
from auth.tokens import TokenVerifier
from router.security.jwks import CompositeKeySource, JwksCache
from tests.router.security.support import AUDIENCE, ISSUER, issuer_for, serving_jwks


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("algorithm", ["EdDSA", "RS256", "ES256"])
async def test_tokens_verify_against_a_served_jwks(algorithm: str) -> None:
    ring = KeyRing.ephemeral(algorithm)
    async with serving_jwks(ring.active) as server:
        cache = JwksCache.from_url(server.url)
        await cache.ensure_loaded()
        verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
        claims = verifier.verify(issuer_for(ring).issue("athlete-7", roles=["user"]))
        assert claims.subject == "athlete-7"
        assert cache.kids == [ring.active.kid]
        assert server.fetches == 1


async def test_unknown_kid_triggers_one_refresh_and_the_floor_limits_refreshes() -> None:
    clock = ManualClock()
    old = SigningKey.generate("EdDSA", kid="old")
    async with serving_jwks(old) as server:
        cache = JwksCache.from_url(server.url, min_refresh_interval=10.0, clock=clock)
        await cache.ensure_loaded()
        assert cache.verification_key("new") is None

        # The issuer rotates: the new key appears in the JWKS.
        new = SigningKey.generate("ES256", kid="new")
        server.publish(new, old)
        clock.now += 11
        assert await cache.refresh() is True
        assert cache.verification_key("new") is not None
        assert server.fetches == 2

        # Forged kids right after: no download until the floor has passed.
        clock.now += 3
        assert await cache.refresh() is False
        assert await cache.refresh() is False
        assert server.fetches == 2
        clock.now += 10
        assert await cache.refresh() is True
        assert server.fetches == 3


async def test_concurrent_refreshes_share_one_download() -> None:
    key = SigningKey.generate("EdDSA", kid="k1")
    async with serving_jwks(key) as server:
        cache = JwksCache.from_url(server.url, min_refresh_interval=0.0)
        results = await asyncio.gather(*(cache.refresh() for _ in range(8)))
        assert server.fetches == 1
        assert results == [True] * 8


async def test_a_failed_refresh_keeps_the_last_good_keys() -> None:
    clock = ManualClock()
    key = SigningKey.generate("EdDSA", kid="k1")
    async with serving_jwks(key) as server:
        cache = JwksCache.from_url(server.url, min_refresh_interval=1.0, clock=clock)
        await cache.ensure_loaded()
        server.fail = True
        clock.now += 2
        assert await cache.refresh() is False
        assert cache.failures == 1
        assert cache.verification_key("k1") is not None


async def test_stale_keys_are_refreshed_in_the_background() -> None:
    clock = ManualClock()
    first = SigningKey.generate("EdDSA", kid="first")
    async with serving_jwks(first) as server:
        cache = JwksCache.from_url(server.url, max_age=60.0, min_refresh_interval=1.0, clock=clock)
        await cache.ensure_loaded()
        second = SigningKey.generate("EdDSA", kid="second")
        server.publish(second)
        await cache.ensure_loaded()  # still fresh: nothing fetched
        assert server.fetches == 1
        clock.now += 61
        await cache.ensure_loaded()
        # The refresh runs beside the request; the current keys keep serving meanwhile.
        assert cache.verification_key("first") is not None
        # Joins the download already running rather than starting another.
        assert await cache.refresh() is True
        assert server.fetches == 2
        assert cache.verification_key("second") is not None
        assert cache.verification_key("first") is None


async def test_unreachable_jwks_url_means_no_keys_and_counts_the_failure() -> None:
    from tests.support.servers import free_port

    cache = JwksCache.from_url(f"http://127.0.0.1:{free_port()}/jwks.json", timeout=1.0)
    await cache.ensure_loaded()
    assert cache.kids == []
    assert cache.failures == 1
    verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
    ring = KeyRing.ephemeral()
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(issuer_for(ring).issue("u", roles=["user"]))
    assert caught.value.reason == "unknown_kid"


async def test_jwks_file_source_and_composite(tmp_path: Path) -> None:
    clock = ManualClock()
    a = SigningKey.generate("EdDSA", kid="a")
    b = SigningKey.generate("RS256", kid="b")
    file_a = tmp_path / "a.json"
    file_a.write_bytes(orjson.dumps({"keys": [a.public_jwk()]}))
    async with serving_jwks(b) as server:
        composite = CompositeKeySource(
            [JwksCache.from_file(file_a, clock=clock), JwksCache.from_url(server.url, clock=clock)]
        )
        await composite.ensure_loaded()
        assert composite.verification_key("a") is not None
        assert composite.verification_key("b") is not None
        assert composite.verification_key("c") is None
        # The file changes (key rotation by a deploy): picked up on the next allowed refresh.
        c = SigningKey.generate("ES256", kid="c")
        file_a.write_bytes(orjson.dumps({"keys": [c.public_jwk()]}))
        clock.now += 20
        assert await composite.refresh() is True
        assert composite.verification_key("c") is not None


async def test_a_jwks_with_symmetric_keys_never_supplies_hmac_secrets(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_bytes(orjson.dumps({"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}))
    cache = JwksCache.from_file(path)
    await cache.ensure_loaded()
    assert cache.verification_key("s") is None


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"keys": "nope"}',
        b'["keys"]',
        b'{"keys": [{"kty": "RSA", "kid": "x", "n": "AQAB", "e": "AQAB"}]}',
    ],
    ids=["not-json", "keys-not-a-list", "not-an-object", "rsa-too-small"],
)
async def test_a_broken_jwks_document_is_a_failed_load(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "jwks.json"
    path.write_bytes(content)
    cache = JwksCache.from_file(path)
    await cache.ensure_loaded()
    assert cache.failures == 1
    assert cache.kids == []


async def test_http_error_status_is_a_failed_load() -> None:
    key = SigningKey.generate("EdDSA", kid="k1")
    async with serving_jwks(key) as server:
        server.fail = True
        cache = JwksCache.from_url(server.url)
        assert await cache.refresh() is False
        assert cache.failures == 1 and cache.loads == 0
