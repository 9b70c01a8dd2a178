"""Signing keys, key rings with rotation, and public key sets (JWKS, RFC 7517/7518).

Supported algorithms (RFC 7518 §3.1, RFC 8037 §3.1): ``EdDSA`` (Ed25519), ``RS256`` (RSA
>= 2048 bits) and ``ES256`` (P-256). The algorithm is a property of the key: a token's ``alg``
header must equal the algorithm registered for its ``kid``, which rules out algorithm
substitution between key types.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from auth._b64 import b64url_decode, b64url_encode, int_to_b64url

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "KeyRing",
    "KeySource",
    "PrivateKey",
    "PublicKey",
    "PublicKeySet",
    "SigningKey",
    "jwk_thumbprint",
]

PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey

SUPPORTED_ALGORITHMS: frozenset[str] = frozenset({"EdDSA", "RS256", "ES256"})
_MIN_RSA_BITS = 2048  # RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used".
_P256_COORD_BYTES = 32


class KeySource(Protocol):
    """Anything that resolves a ``kid`` to ``(public_key, algorithm)``: KeyRing, PublicKeySet,
    or a caller's own remote-JWKS cache."""

    def verification_key(self, kid: str) -> tuple[PublicKey, str] | None: ...


def _algorithm_for(key: PrivateKey | PublicKey) -> str:
    """Infer the JWS algorithm for a key, rejecting types and sizes we do not accept."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < _MIN_RSA_BITS:
            raise ValueError(f"RSA keys must be at least {_MIN_RSA_BITS} bits, got {key.key_size}")
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValueError(f"only the P-256 curve is supported for EC keys, got {key.curve.name}")
        return "ES256"
    raise ValueError(f"unsupported key type: {type(key).__name__}")


def _public_jwk_members(public_key: PublicKey) -> dict[str, str]:
    """The required public members of a JWK, in RFC 7638 §3.2 lexicographic order."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(raw)}
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        return {"e": int_to_b64url(numbers.e), "kty": "RSA", "n": int_to_b64url(numbers.n)}
    point = public_key.public_numbers()
    # RFC 7518 §6.2.1.2: coordinates are the full curve size, including leading zeros.
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": int_to_b64url(point.x, _P256_COORD_BYTES),
        "y": int_to_b64url(point.y, _P256_COORD_BYTES),
    }


def jwk_thumbprint(public_key: PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): a stable default ``kid``."""
    canonical = orjson.dumps(_public_jwk_members(public_key), option=orjson.OPT_SORT_KEYS)
    return b64url_encode(hashlib.sha256(canonical).digest())


@dataclass(frozen=True, eq=False)
class SigningKey:
    """A private key with its ``kid`` and JWS algorithm."""

    kid: str
    algorithm: str
    private_key: PrivateKey = field(repr=False)
    # Derived once: verification looks it up on every request.
    _public_key: PublicKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.kid:
            raise ValueError("kid must be a non-empty string")
        inferred = _algorithm_for(self.private_key)
        if self.algorithm != inferred:
            raise ValueError(f"algorithm {self.algorithm!r} does not match the key type ({inferred})")
        object.__setattr__(self, "_public_key", self.private_key.public_key())

    @property
    def public_key(self) -> PublicKey:
        return self._public_key

    def public_jwk(self) -> dict[str, str]:
        """Public JWK with ``kid``, ``alg`` and ``use`` (RFC 7517 §4); never private members."""
        return {**_public_jwk_members(self.public_key), "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def to_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM (protect the file with filesystem permissions / secrets)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @classmethod
    def generate(cls, algorithm: str = "EdDSA", kid: str | None = None) -> SigningKey:
        private_key: PrivateKey
        if algorithm == "EdDSA":
            private_key = ed25519.Ed25519PrivateKey.generate()
        elif algorithm == "RS256":
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=_MIN_RSA_BITS)
        elif algorithm == "ES256":
            private_key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(
                f"unsupported algorithm {algorithm!r}; use one of {sorted(SUPPORTED_ALGORITHMS)}"
            )
        return cls(
            kid=kid or jwk_thumbprint(private_key.public_key()), algorithm=algorithm, private_key=private_key
        )

    @classmethod
    def from_pem(cls, pem: bytes, *, kid: str | None = None) -> SigningKey:
        """Load an unencrypted PEM private key (PKCS#8 or traditional); the algorithm is inferred."""
        try:
            loaded = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError("not an unencrypted PEM private key") from exc
        if not isinstance(loaded, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError(f"unsupported key type: {type(loaded).__name__}")
        algorithm = _algorithm_for(loaded)
        return cls(kid=kid or jwk_thumbprint(loaded.public_key()), algorithm=algorithm, private_key=loaded)


class KeyRing:
    """Signing keys for rotation: one active key signs; every non-removed key verifies.

    Rotation: ``add(new, active=True)`` (old tokens still verify), later ``retire(old_kid)``
    (never signs again), and once old tokens have expired ``remove(old_kid)``.
    """

    def __init__(self, keys: Iterable[SigningKey] = ()) -> None:
        """Start with ``keys``; the last one signs (an empty ring has no active key yet)."""
        self._keys: dict[str, SigningKey] = {}
        self._retired: set[str] = set()
        self._active_kid: str | None = None
        for key in keys:
            self.add(key, active=True)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    @property
    def kids(self) -> list[str]:
        return list(self._keys)

    @property
    def retired_kids(self) -> frozenset[str]:
        return frozenset(self._retired)

    def add(self, key: SigningKey, active: bool = False) -> None:
        """Add a key; the first key added becomes active automatically."""
        if key.kid in self._keys:
            raise ValueError(f"a key with kid {key.kid!r} is already in the ring")
        self._keys[key.kid] = key
        if active or self._active_kid is None:
            self._active_kid = key.kid

    def activate(self, kid: str) -> None:
        """Make an existing, non-retired key the signing key."""
        if kid not in self._keys:
            raise KeyError(kid)
        if kid in self._retired:
            raise ValueError(f"key {kid!r} is retired and cannot sign again")
        self._active_kid = kid

    def retire(self, kid: str) -> None:
        """Stop signing with ``kid`` but keep it for verification."""
        if kid not in self._keys:
            raise KeyError(kid)
        self._retired.add(kid)
        if self._active_kid == kid:
            self._active_kid = self._newest_signer()

    def remove(self, kid: str) -> None:
        """Forget ``kid`` entirely: tokens signed with it stop verifying."""
        if kid not in self._keys:
            raise KeyError(kid)
        del self._keys[kid]
        self._retired.discard(kid)
        if self._active_kid == kid:
            self._active_kid = self._newest_signer()

    def _newest_signer(self) -> str | None:
        candidates = [kid for kid in self._keys if kid not in self._retired]
        return candidates[-1] if candidates else None

    @property
    def active(self) -> SigningKey:
        if self._active_kid is None:
            raise LookupError("the key ring has no active signing key")
        return self._keys[self._active_kid]

    def get(self, kid: str) -> SigningKey | None:
        return self._keys.get(kid)

    def verification_key(self, kid: str) -> tuple[PublicKey, str] | None:
        """Public key and algorithm for ``kid`` (live view, so rotation is seen at once)."""
        key = self._keys.get(kid)
        return None if key is None else (key.public_key, key.algorithm)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWKS document (RFC 7517 §5) with every verifying key, active key first."""
        ordered = sorted(self._keys.values(), key=lambda k: k.kid != self._active_kid)
        return {"keys": [key.public_jwk() for key in ordered]}

    @classmethod
    def ephemeral(cls, algorithm: str = "EdDSA") -> KeyRing:
        """A ring with one fresh in-memory key (dev and tests)."""
        ring = cls()
        ring.add(SigningKey.generate(algorithm), active=True)
        return ring

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str]) -> KeyRing:
        """Load every ``*.pem`` file; ``kid`` is the file stem; the newest file signs.

        "Newest" is by modification time, then by file name, so date-prefixed names such as
        ``2026-11-01.pem`` order correctly on volumes where every file shares one mtime
        (Kubernetes secret mounts).
        """
        directory = Path(path)
        if not directory.is_dir():
            raise FileNotFoundError(f"key directory not found: {directory}")
        files = sorted(directory.glob("*.pem"), key=lambda p: (p.stat().st_mtime, p.name))
        if not files:
            raise ValueError(f"no *.pem keys in {directory}")
        ring = cls()
        for pem_path in files:
            try:
                key = SigningKey.from_pem(pem_path.read_bytes(), kid=pem_path.stem)
            except ValueError as exc:
                raise ValueError(f"{pem_path}: {exc}") from exc
            ring.add(key, active=True)
        return ring

    def write_active_to_directory(self, path: str | os.PathLike[str]) -> Path:
        """Write the active key as ``<kid>.pem`` with mode 0600 (dev bootstrap helper)."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{self.active.kid}.pem"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(self.active.to_pem())
        return target


class _Unsupported(Exception):
    """A well-formed JWK we do not verify with (other curve/algorithm/type): skipped."""


def _public_key_from_jwk(jwk: Mapping[str, Any]) -> tuple[PublicKey, str]:
    """Build a public key from a JWK (RFC 7518 §6), validating ``alg`` against the key type."""
    kty = jwk.get("kty")
    declared = jwk.get("alg")
    if declared is not None and declared not in SUPPORTED_ALGORITHMS:
        raise _Unsupported(declared)
    public_key: PublicKey
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise _Unsupported(jwk.get("crv"))
        public_key = ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(_str(jwk, "x")))
    elif kty == "RSA":
        n = int.from_bytes(b64url_decode(_str(jwk, "n")), "big")
        e = int.from_bytes(b64url_decode(_str(jwk, "e")), "big")
        public_key = rsa.RSAPublicNumbers(e, n).public_key()
    elif kty == "EC":
        if jwk.get("crv") != "P-256":
            raise _Unsupported(jwk.get("crv"))
        x = int.from_bytes(b64url_decode(_str(jwk, "x")), "big")
        y = int.from_bytes(b64url_decode(_str(jwk, "y")), "big")
        # Raises ValueError when the point is not on the curve (invalid-curve attacks).
        public_key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    else:
        # "oct" (symmetric) keys are refused on purpose: a JWKS must never supply HMAC secrets.
        raise _Unsupported(kty)
    algorithm = _algorithm_for(public_key)
    if declared is not None and declared != algorithm:
        raise ValueError(f"JWK alg {declared!r} does not match its key type ({algorithm})")
    return public_key, algorithm


def _str(jwk: Mapping[str, Any], member: str) -> str:
    value = jwk.get(member)
    if not isinstance(value, str):
        raise ValueError(f"JWK member {member!r} must be a string")
    return value


class PublicKeySet:
    """Verification keys by ``kid`` (what subgraphs and the router hold)."""

    def __init__(self, keys: Mapping[str, tuple[PublicKey, str]] | None = None) -> None:
        self._keys: dict[str, tuple[PublicKey, str]] = {}
        for kid, (public_key, algorithm) in (keys or {}).items():
            if _algorithm_for(public_key) != algorithm:
                raise ValueError(f"algorithm {algorithm!r} does not match the key type of {kid!r}")
            self._keys[kid] = (public_key, algorithm)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    @property
    def kids(self) -> list[str]:
        return list(self._keys)

    def get(self, kid: str) -> tuple[PublicKey, str] | None:
        return self._keys.get(kid)

    verification_key = get

    @classmethod
    def from_keyring(cls, keyring: KeyRing) -> PublicKeySet:
        """A snapshot of the ring's public keys (later ring changes are not seen)."""
        snapshot: dict[str, tuple[PublicKey, str]] = {}
        for kid in keyring.kids:
            entry = keyring.verification_key(kid)
            if entry is not None:
                snapshot[kid] = entry
        return cls(snapshot)

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any] | bytes | str) -> PublicKeySet:
        """Parse a JWKS document (dict or JSON text).

        Keys with ``use`` other than ``sig``, without a ``kid``, or of a type/curve/algorithm
        we do not verify with (including ``oct`` secrets) are skipped (RFC 7517 §5: ignore what
        you do not understand); a document that is not a JWKS, a malformed supported key, an
        RSA key under 2048 bits or an ``alg`` contradicting the key type raises ``ValueError``.
        """
        document: Any = orjson.loads(jwks) if isinstance(jwks, bytes | str) else jwks
        if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
            raise ValueError('a JWKS must be an object with a "keys" array')
        keys: dict[str, tuple[PublicKey, str]] = {}
        for jwk in document["keys"]:
            if not isinstance(jwk, Mapping):
                raise ValueError("every JWKS entry must be an object")
            kid = jwk.get("kid")
            if not isinstance(kid, str) or not kid or jwk.get("use", "sig") != "sig":
                continue
            if kid in keys:
                raise ValueError(f"duplicate kid {kid!r} in JWKS")
            try:
                keys[kid] = _public_key_from_jwk(jwk)
            except _Unsupported:
                continue
            except ValueError as exc:
                raise ValueError(f"JWK {kid!r}: {exc}") from exc
        return cls(keys)
