"""Signing keys, PEM round trips, key rings from directories, JWKS shape and parsing."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from auth.keys import KeyRing, PublicKeySet, SigningKey, jwk_thumbprint
from auth.tokens import TokenIssuer, TokenVerifier
from tests.auth.forge import b64url

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {alg: SigningKey.generate(alg) for alg in ("EdDSA", "RS256", "ES256")}


@pytest.mark.parametrize(
    ("algorithm", "kty", "members"),
    [
        ("EdDSA", "OKP", {"crv", "x"}),
        ("RS256", "RSA", {"n", "e"}),
        ("ES256", "EC", {"crv", "x", "y"}),
    ],
)
def test_public_jwk_shape(keys: dict[str, SigningKey], algorithm: str, kty: str, members: set[str]) -> None:
    jwk = keys[algorithm].public_jwk()
    assert set(jwk) == members | {"kty", "kid", "alg", "use"}
    assert jwk["kty"] == kty and jwk["alg"] == algorithm and jwk["use"] == "sig"
    assert jwk["kid"] == keys[algorithm].kid
    assert not PRIVATE_MEMBERS & set(jwk)


def test_jwks_lists_every_key_without_private_parts(keys: dict[str, SigningKey]) -> None:
    ring = KeyRing()
    for key in keys.values():
        ring.add(key)
    ring.activate(keys["ES256"].kid)
    document = ring.jwks()
    assert list(document) == ["keys"]
    assert [k["kid"] for k in document["keys"]][0] == keys["ES256"].kid
    assert {k["kid"] for k in document["keys"]} == {k.kid for k in keys.values()}
    assert all(not PRIVATE_MEMBERS & set(k) for k in document["keys"])


def test_es256_coordinates_are_full_length(keys: dict[str, SigningKey]) -> None:
    jwk = keys["ES256"].public_jwk()
    for member in ("x", "y"):
        assert len(base64.urlsafe_b64decode(jwk[member] + "=")) == 32


def test_default_kid_is_rfc7638_thumbprint() -> None:
    # RFC 7638 §3.1 example key and its published thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
        "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA"
        "ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
        "kEgU8awapJzKnqDKgw"
    )
    public = rsa.RSAPublicNumbers(65537, int.from_bytes(_unb64url(n), "big")).public_key()
    assert jwk_thumbprint(public) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("algorithm", ["EdDSA", "RS256", "ES256"])
def test_pem_round_trip_infers_algorithm(keys: dict[str, SigningKey], algorithm: str) -> None:
    original = keys[algorithm]
    loaded = SigningKey.from_pem(original.to_pem())
    assert loaded.algorithm == algorithm
    assert loaded.kid == original.kid  # the thumbprint depends only on the public key
    assert loaded.public_jwk() == original.public_jwk()
    assert SigningKey.from_pem(original.to_pem(), kid="custom").kid == "custom"


def test_unsupported_keys_are_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    p384 = ec.generate_private_key(ec.SECP384R1())
    for private, message in ((weak, "at least 2048"), (p384, "P-256")):
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with pytest.raises(ValueError, match=message):
            SigningKey.from_pem(pem)
    with pytest.raises(ValueError, match="PEM"):
        SigningKey.from_pem(b"-----BEGIN NONSENSE-----")
    with pytest.raises(ValueError, match="unsupported algorithm"):
        SigningKey.generate("HS256")


def test_algorithm_must_match_key_type(keys: dict[str, SigningKey]) -> None:
    with pytest.raises(ValueError, match="does not match"):
        SigningKey(kid="k", algorithm="RS256", private_key=keys["EdDSA"].private_key)


def test_key_ring_bookkeeping(keys: dict[str, SigningKey]) -> None:
    ring = KeyRing()
    with pytest.raises(LookupError):
        _ = ring.active
    ring.add(keys["EdDSA"])
    assert ring.active is keys["EdDSA"]  # the first key becomes active
    with pytest.raises(ValueError, match="already"):
        ring.add(keys["EdDSA"])
    ring.add(keys["RS256"], active=True)
    assert ring.active is keys["RS256"] and len(ring) == 2 and keys["EdDSA"].kid in ring
    ring.remove(keys["RS256"].kid)
    assert ring.active is keys["EdDSA"] and ring.get(keys["RS256"].kid) is None
    for operation in (ring.retire, ring.remove, ring.activate):
        with pytest.raises(KeyError):
            operation("missing")


def test_from_directory_newest_file_signs(tmp_path: Path, keys: dict[str, SigningKey]) -> None:
    (tmp_path / "2026-01-01.pem").write_bytes(keys["RS256"].to_pem())
    (tmp_path / "2026-06-01.pem").write_bytes(keys["EdDSA"].to_pem())
    (tmp_path / "README.txt").write_text("not a key")
    same_time = 1_700_000_000
    for name in ("2026-01-01.pem", "2026-06-01.pem"):
        os.utime(tmp_path / name, (same_time, same_time))  # like a Kubernetes secret mount

    ring = KeyRing.from_directory(tmp_path)
    assert ring.kids == ["2026-01-01", "2026-06-01"]
    assert ring.active.kid == "2026-06-01" and ring.active.algorithm == "EdDSA"

    os.utime(tmp_path / "2026-01-01.pem", (same_time + 10, same_time + 10))
    assert KeyRing.from_directory(tmp_path).active.kid == "2026-01-01"


def test_from_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        KeyRing.from_directory(tmp_path / "absent")
    with pytest.raises(ValueError, match="no \\*.pem"):
        KeyRing.from_directory(tmp_path)
    (tmp_path / "bad.pem").write_text("garbage")
    with pytest.raises(ValueError, match="bad.pem"):
        KeyRing.from_directory(tmp_path)


def test_write_active_then_load_directory(tmp_path: Path) -> None:
    ring = KeyRing.ephemeral("ES256")
    path = ring.write_active_to_directory(tmp_path / "keys")
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = KeyRing.from_directory(tmp_path / "keys")
    token = TokenIssuer(ring, issuer="i", audience="a").issue("u", roles=["user"])
    assert TokenVerifier(loaded, issuer="i", audience="a").verify(token).subject == "u"
    with pytest.raises(FileExistsError):
        ring.write_active_to_directory(tmp_path / "keys")


class TestPublicKeySetFromJwks:
    def test_round_trip_from_json_text(self, keys: dict[str, SigningKey]) -> None:
        ring = KeyRing()
        for key in keys.values():
            ring.add(key)
        parsed = PublicKeySet.from_jwks(json.dumps(ring.jwks()))
        assert sorted(parsed.kids) == sorted(ring.kids)
        for kid in ring.kids:
            entry = parsed.get(kid)
            assert entry is not None and entry[1] == ring.get(kid).algorithm  # type: ignore[union-attr]
        assert parsed.get("nope") is None

    def test_skips_what_it_cannot_use(self, keys: dict[str, SigningKey]) -> None:
        ed = keys["EdDSA"].public_jwk()
        document = {
            "keys": [
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
                {**ed, "kid": "enc", "use": "enc"},
                {**ed, "kid": None},
                {"kty": "OKP", "crv": "X25519", "kid": "x", "x": ed["x"]},
                {**keys["RS256"].public_jwk(), "kid": "rs512", "alg": "RS512"},
                ed,
            ]
        }
        assert PublicKeySet.from_jwks(document).kids == [ed["kid"]]

    @pytest.mark.parametrize(
        "document",
        [
            [],
            {"keys": {}},
            {"keys": ["x"]},
            {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "AAAA"}]},
            {"keys": [{"kty": "EC", "crv": "P-256", "kid": "k", "x": "AQ", "y": "AQ"}]},
            {"keys": [{"kty": "RSA", "kid": "k", "n": 5, "e": "AQAB"}]},
        ],
    )
    def test_malformed_documents(self, document: object) -> None:
        with pytest.raises(ValueError):
            PublicKeySet.from_jwks(document)  # type: ignore[arg-type]

    def test_alg_contradicting_key_type_and_duplicates(self, keys: dict[str, SigningKey]) -> None:
        ed = keys["EdDSA"].public_jwk()
        with pytest.raises(ValueError, match="does not match"):
            PublicKeySet.from_jwks({"keys": [{**ed, "alg": "RS256"}]})
        with pytest.raises(ValueError, match="duplicate"):
            PublicKeySet.from_jwks({"keys": [ed, ed]})

    def test_weak_rsa_key_refused(self) -> None:
        weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()
        jwk = {"kty": "RSA", "kid": "weak", "n": _uint(weak.n), "e": _uint(weak.e)}
        with pytest.raises(ValueError, match="2048"):
            PublicKeySet.from_jwks({"keys": [jwk]})


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def test_ring_constructor_and_repr(keys: dict[str, SigningKey]) -> None:
    ring = KeyRing([keys["EdDSA"], keys["ES256"]])
    assert ring.kids == [keys["EdDSA"].kid, keys["ES256"].kid]
    assert ring.active is keys["ES256"]
    assert "private" not in repr(keys["EdDSA"]) and keys["EdDSA"].kid in repr(keys["EdDSA"])
    with pytest.raises(AttributeError):
        keys["EdDSA"].kid = "changed"  # type: ignore[misc]
