"""Hand-built JWS tokens for attack tests (base64url header/payload built here, not by a library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from auth.keys import SigningKey

__all__ = ["b64url", "forge", "forge_hs256", "payload_of", "segment", "sign_with"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(obj: Any) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def payload_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def sign_with(key: SigningKey, signing_input: bytes) -> bytes:
    private = key.private_key
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return private.sign(signing_input)
    if isinstance(private, rsa.RSAPrivateKey):
        return private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def forge(header: dict[str, Any], payload: dict[str, Any], key: SigningKey | None = None) -> str:
    """Build a compact JWS; signed with ``key`` when given, otherwise with an empty signature."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = sign_with(key, signing_input.encode("ascii")) if key is not None else b""
    return f"{signing_input}.{b64url(signature)}"


def forge_hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{segment(header)}.{segment(payload)}"
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"
