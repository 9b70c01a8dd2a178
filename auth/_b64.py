"""Strict base64url without padding (RFC 7515 §2, Appendix C)."""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["b64url_decode", "b64url_encode", "int_to_b64url"]

# RFC 7515 §2: the base64url alphabet with all trailing '=' omitted; anything else is malformed.
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, raising ``ValueError`` on any non-canonical input."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("invalid base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("invalid base64url") from exc
    # Reject encodings with non-zero trailing bits so each value has exactly one encoding.
    if b64url_encode(data) != text:
        raise ValueError("non-canonical base64url")
    return data


def int_to_b64url(value: int, length: int | None = None) -> str:
    """RFC 7518 §2 Base64urlUInt (big-endian, minimal length unless ``length`` is given)."""
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(size, "big"))
