"""Plain records passed between the store and the rest of the subgraph (no I/O here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

__all__ = ["EmailTaken", "RefreshOutcome", "UserFilter", "UserRecord", "aware", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone=True columns; every value we store is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class EmailTaken(Exception):
    """The (case-insensitive) e-mail already belongs to an account."""


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: uuid.UUID
    region: str
    email: str
    display_name: str
    password_hash: str
    roles: tuple[str, ...]
    units: str
    timezone: str
    birth_year: int | None
    height_cm: float | None
    weight_kg: float | None
    status: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> UserRecord:
        data = row._mapping
        return cls(
            id=data["id"],
            region=data["region"],
            email=data["email"],
            display_name=data["display_name"],
            password_hash=data["password_hash"],
            roles=tuple(data["roles"]),
            units=data["units"],
            timezone=data["timezone"],
            birth_year=data["birth_year"],
            height_cm=data["height_cm"],
            weight_kg=data["weight_kg"],
            status=data["status"],
            created_at=aware(data["created_at"]),
            updated_at=aware(data["updated_at"]),
        )

    def values(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "region": self.region,
            "email": self.email,
            "display_name": self.display_name,
            "password_hash": self.password_hash,
            "roles": list(self.roles),
            "units": self.units,
            "timezone": self.timezone,
            "birth_year": self.birth_year,
            "height_cm": self.height_cm,
            "weight_kg": self.weight_kg,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class UserFilter:
    regions: tuple[str, ...] | None = None
    status: str | None = None
    role: str | None = None
    email_contains: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """Result of presenting a refresh token. ``status``: ok | invalid | reused | expired | revoked."""

    status: str
    user_id: uuid.UUID | None = None
    family_id: uuid.UUID | None = None


