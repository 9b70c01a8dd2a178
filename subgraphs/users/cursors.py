"""Opaque, stable pagination cursors over the (created_at, id) ordering of users."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

from subgraphs.common.errors import BadUserInput
from subgraphs.users.store import UserRecord

__all__ = ["decode_cursor", "encode_cursor"]

_VERSION = "u1"


def encode_cursor(record: UserRecord) -> str:
    raw = f"{_VERSION}|{record.created_at.astimezone(UTC).isoformat()}|{record.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str = "after") -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        version, created, user_id = raw.split("|")
        if version != _VERSION:
            raise ValueError(version)
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None:
            raise ValueError("naive timestamp")
        return created_at, uuid.UUID(user_id)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise BadUserInput("Invalid pagination cursor", field=field) from error
