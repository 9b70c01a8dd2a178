"""Access tokens: JWS-signed JWTs (RFC 7515, RFC 7519) issued and verified with a key ring.

Verification is done here with ``cryptography`` directly rather than by a generic JWT decoder,
so every step is explicit: the algorithm comes from an allow-list AND must equal the algorithm
registered for the ``kid`` (RFC 8725 §3.1, §3.2), HS256 is only ever checked against an
explicitly configured secret (never a public key: no key confusion), and the claims are then
validated per RFC 7519 §4.1.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import jwt
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from auth._b64 import b64url_decode
from auth.claims import Claims
from auth.errors import InvalidToken, InvalidTokenReason
from auth.keys import SUPPORTED_ALGORITHMS, KeyRing, KeySource, PublicKey, PublicKeySet
from auth.roles import scopes_for, validate_roles
from auth.token_cache import VerifiedTokenCache, outside_validity

__all__ = ["HS256", "MIN_HS256_SECRET_BYTES", "RESERVED_CLAIMS", "TokenIssuer", "TokenVerifier"]

HS256 = "HS256"
# RFC 7518 §3.2: a key of the same size as the hash output (256 bits) or larger MUST be used.
MIN_HS256_SECRET_BYTES = 32
# Tokens are sent in a header on every request; anything larger is hostile or broken.
_MAX_TOKEN_LENGTH = 8192
_P256_SIGNATURE_BYTES = 64

RESERVED_CLAIMS: frozenset[str] = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "roles", "scope", "sid"}
)

Clock = Callable[[], float]


def _check_secret(secret: bytes | None) -> bytes | None:
    if secret is not None and len(secret) < MIN_HS256_SECRET_BYTES:
        raise ValueError(f"hs256_secret must be at least {MIN_HS256_SECRET_BYTES} bytes")
    return secret


class TokenIssuer:
    """Mints access tokens signed by the key ring's active key (or HS256 when asked)."""

    def __init__(
        self,
        keyring: KeyRing,
        *,
        issuer: str,
        audience: str | list[str],
        ttl_seconds: int = 900,
        hs256_secret: bytes | None = None,
        clock: Clock = time.time,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self._hs256_secret = _check_secret(hs256_secret)
        self._clock = clock

    def issue(
        self,
        subject: str,
        *,
        roles: Iterable[str],
        session_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
        ttl_seconds: int | None = None,
        scopes: Iterable[str] | None = None,
        symmetric: bool = False,
    ) -> str:
        """Return a compact JWS.

        ``scopes`` overrides the role-derived scopes (service tokens); ``symmetric=True`` signs
        with the configured HS256 secret (development only).
        """
        if not subject:
            raise ValueError("subject must be a non-empty string")
        role_set = validate_roles(roles)
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if ttl <= 0:
            raise ValueError("ttl_seconds must be positive")
        if extra and RESERVED_CLAIMS.intersection(extra):
            clash = ", ".join(sorted(RESERVED_CLAIMS.intersection(extra)))
            raise ValueError(f"extra claims may not override registered claims: {clash}")
        scope_set = scopes_for(role_set) if scopes is None else frozenset(scopes)
        now = int(self._clock())
        payload: dict[str, Any] = {
            **(extra or {}),
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "roles": sorted(role_set),
            "scope": " ".join(sorted(scope_set)),
        }
        if session_id is not None:
            payload["sid"] = session_id
        if symmetric:
            if self._hs256_secret is None:
                raise ValueError("symmetric tokens need hs256_secret")
            return jwt.encode(payload, self._hs256_secret, algorithm=HS256, headers={"typ": "JWT"})
        key = self.keyring.active
        return jwt.encode(
            payload, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": "JWT"}
        )


def _verify_signature(algorithm: str, public_key: PublicKey, signing_input: bytes, signature: bytes) -> bool:
    try:
        if algorithm == "EdDSA" and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, signing_input)
        elif algorithm == "RS256" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == "ES256" and isinstance(public_key, ec.EllipticCurvePublicKey):
            # RFC 7518 §3.4: the JWS signature is R || S, each 32 bytes, not DER.
            if len(signature) != _P256_SIGNATURE_BYTES:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _numeric_date(payload: Mapping[str, Any], name: str, *, required: bool) -> int | None:
    """RFC 7519 §2 NumericDate; bools are rejected although Python treats them as ints."""
    value = payload.get(name)
    if value is None:
        if required:
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, f"missing {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, f"{name} must be a NumericDate")
    return int(value)


class TokenVerifier:
    """Verifies access tokens; safe to share between requests.

    Passing ``hs256_secret`` is the explicit opt-in that adds HS256 to ``algorithms``; without
    it HS256 is never accepted. Key-carrying headers (``jwk``, ``jku``, ``x5u``, ``x5c``) are
    ignored: keys come only from ``keys`` (RFC 8725 §3.10).

    ``cache_size`` > 0 keeps the claims of that many verified tokens
    (:class:`auth.token_cache.VerifiedTokenCache`): a repeated token skips the signature check
    but is still re-checked against the clock, its key and the issuer on every use.
    """

    def __init__(
        self,
        keys: PublicKeySet | KeyRing | KeySource,
        *,
        issuer: str,
        audience: str | list[str],
        algorithms: Iterable[str] = ("EdDSA", "RS256", "ES256"),
        leeway_seconds: int = 30,
        hs256_secret: bytes | None = None,
        clock: Clock = time.time,
        cache_size: int = 0,
    ) -> None:
        allowed = frozenset(algorithms)
        unknown = allowed - SUPPORTED_ALGORITHMS - {HS256}
        if unknown:
            raise ValueError(f"unsupported algorithms: {', '.join(sorted(unknown))}")
        if HS256 in allowed and hs256_secret is None:
            raise ValueError("HS256 may only be allowed together with an explicit hs256_secret")
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        self._keys = keys
        self.issuer = issuer
        self._audiences = frozenset([audience] if isinstance(audience, str) else audience)
        if not self._audiences:
            raise ValueError("audience must not be empty")
        # An explicit secret is the opt-in for HS256 (RFC 8725 §3.1: never infer from the token).
        self._hs256_secret = _check_secret(hs256_secret)
        self._algorithms = allowed | {HS256} if self._hs256_secret is not None else allowed
        self.leeway_seconds = leeway_seconds
        self._clock = clock
        self._cache = VerifiedTokenCache(cache_size) if cache_size else None

    @property
    def algorithms(self) -> frozenset[str]:
        return self._algorithms

    @property
    def cache(self) -> VerifiedTokenCache | None:
        """The verified-token cache (None when ``cache_size`` is 0)."""
        return self._cache

    def verify_bearer(self, authorization_header: str | None) -> Claims | None:
        """Verify an ``Authorization`` header value (RFC 6750 §2.1).

        Returns None when the header is absent or blank; raises :class:`InvalidToken` when it is
        present but not a well-formed ``Bearer`` credential or the token is invalid.
        """
        if authorization_header is None or not authorization_header.strip():
            return None
        scheme, _, credentials = authorization_header.strip().partition(" ")
        # RFC 7235 §2.1: the auth-scheme is case-insensitive.
        if scheme.lower() != "bearer":
            raise InvalidToken(InvalidTokenReason.MALFORMED, "expected the Bearer authorization scheme")
        token = credentials.strip()
        if not token or " " in token:
            raise InvalidToken(InvalidTokenReason.MALFORMED, "malformed Bearer credentials")
        return self.verify(token)

    def verify(self, token: str) -> Claims:
        """Verify signature and claims of a compact JWS; raise :class:`InvalidToken` otherwise."""
        cache = self._cache if isinstance(token, str) else None  # _split refuses non-strings
        if cache is not None:
            cached = cache.get(
                token, now=self._clock(), leeway=self.leeway_seconds, issuer=self.issuer, keys=self._keys
            )
            if cached is not None:
                return cached
        header, payload, signing_input, signature = self._split(token)
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            raise InvalidToken(InvalidTokenReason.ALGORITHM_NOT_ALLOWED, f"alg {algorithm!r} is not allowed")
        if "crit" in header:
            # RFC 7515 §4.1.11: we understand no extensions, so a critical one must be rejected.
            raise InvalidToken(InvalidTokenReason.MALFORMED, "unsupported crit header")
        if not signature:
            raise InvalidToken(InvalidTokenReason.BAD_SIGNATURE, "empty signature")
        key: tuple[str, PublicKey] | None = None
        if algorithm == HS256:
            self._verify_hs256(signing_input, signature)
        else:
            key = self._verify_asymmetric(header, algorithm, signing_input, signature)
        claims = self._claims(payload)
        if cache is not None:
            cache.put(
                token,
                claims,
                issuer=self.issuer,
                not_before=_numeric_date(payload, "nbf", required=False),
                algorithm=algorithm,
                kid=key[0] if key else None,
                public_key=key[1] if key else None,
            )
        return claims

    @staticmethod
    def _split(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_LENGTH:
            raise InvalidToken(InvalidTokenReason.MALFORMED, "token is not a string of acceptable size")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken(InvalidTokenReason.MALFORMED, "a JWS has exactly three segments")
        try:
            header = orjson.loads(b64url_decode(parts[0]))
            payload = orjson.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, orjson.JSONDecodeError) as exc:
            raise InvalidToken(InvalidTokenReason.MALFORMED, "segments are not base64url JSON") from exc
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise InvalidToken(InvalidTokenReason.MALFORMED, "header and payload must be JSON objects")
        return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature

    def _verify_hs256(self, signing_input: bytes, signature: bytes) -> None:
        # Only reachable when a secret was configured: HS256 is not in the allow-list otherwise.
        if self._hs256_secret is None:
            raise InvalidToken(InvalidTokenReason.ALGORITHM_NOT_ALLOWED, "HS256 is not configured")
        expected = hmac.new(self._hs256_secret, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidToken(InvalidTokenReason.BAD_SIGNATURE, "signature does not verify")

    def _verify_asymmetric(
        self, header: Mapping[str, Any], algorithm: str, signing_input: bytes, signature: bytes
    ) -> tuple[str, PublicKey]:
        """Check the signature; returns the kid and the key that verified it."""
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken(InvalidTokenReason.MISSING_KID, "header has no kid")
        entry = self._keys.verification_key(kid)
        if entry is None:
            raise InvalidToken(InvalidTokenReason.UNKNOWN_KID, "no key for this kid")
        public_key, key_algorithm = entry
        if key_algorithm != algorithm:
            # RFC 8725 §3.1: the key decides the algorithm, the token must not choose another.
            raise InvalidToken(InvalidTokenReason.ALGORITHM_NOT_ALLOWED, "alg does not match the key")
        if not _verify_signature(algorithm, public_key, signing_input, signature):
            raise InvalidToken(InvalidTokenReason.BAD_SIGNATURE, "signature does not verify")
        return kid, public_key

    def _claims(self, payload: dict[str, Any]) -> Claims:
        now = self._clock()
        leeway = self.leeway_seconds
        # RFC 7519 §4.1.1 iss: exact string match.
        if "iss" not in payload:
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, "missing iss")
        if payload["iss"] != self.issuer:
            raise InvalidToken(InvalidTokenReason.INVALID_ISSUER, "unexpected issuer")
        # RFC 7519 §4.1.3 aud: a string or an array of strings; one must be ours.
        aud = payload.get("aud")
        if aud is None:
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, "missing aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, "aud must be a string or array of strings")
        if self._audiences.isdisjoint(audiences):
            raise InvalidToken(InvalidTokenReason.INVALID_AUDIENCE, "token is not meant for this audience")
        # RFC 7519 §4.1.4-§4.1.6 exp / nbf / iat, with a small leeway for clock skew.
        exp = _numeric_date(payload, "exp", required=True)
        iat = _numeric_date(payload, "iat", required=True)
        nbf = _numeric_date(payload, "nbf", required=False)
        if exp is None or iat is None:  # unreachable: both are required above; narrows types
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, "missing exp or iat")
        refusal = outside_validity(exp=exp, nbf=nbf, iat=iat, now=now, leeway=leeway)
        if refusal is not None:
            raise refusal
        subject = payload.get("sub")
        if subject is None:
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, "missing sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, "sub must be a non-empty string")
        return Claims(
            subject=subject,
            roles=_roles(payload),
            scopes=_scopes(payload),
            issued_at=iat,
            expires_at=exp,
            token_id=_optional_str(payload, "jti") or "",
            session_id=_optional_str(payload, "sid"),
            raw=MappingProxyType(payload),
        )


def _optional_str(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, f"{name} must be a string")
    return value


def _roles(payload: Mapping[str, Any]) -> frozenset[str]:
    roles = payload.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, "roles must be an array of strings")
    return frozenset(roles)


def _scopes(payload: Mapping[str, Any]) -> frozenset[str]:
    # RFC 8693 §4.2: "scope" is a space-delimited string. Scopes are what the signer granted;
    # they are never re-derived here, so a token cannot gain scopes when the mapping changes.
    scope = payload.get("scope", "")
    if not isinstance(scope, str):
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, "scope must be a space-delimited string")
    return frozenset(scope.split())
