"""SQLAlchemy tables of the users subgraph (no GraphQL here).

``users`` is LIST-partitioned by ``region`` on PostgreSQL (migration 0001); a partitioned
table's primary key must contain the partition key, hence (id, region), and a global unique
index on e-mail is impossible there. ``user_emails`` is therefore the single, unpartitioned
directory that enforces case-insensitive e-mail uniqueness and maps an e-mail to its row.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "REGIONS",
    "STATUSES",
    "UNITS",
    "Base",
    "PasswordReset",
    "RefreshToken",
    "User",
    "UserEmail",
]

REGIONS: tuple[str, ...] = ("EU", "RU", "NA", "SA", "ASIA", "AFRICA", "OCEANIA")
UNITS: tuple[str, ...] = ("METRIC", "IMPERIAL")
STATUSES: tuple[str, ...] = ("ACTIVE", "BANNED")

_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_created_at_id", "created_at", "id"),
        Index("ix_users_id", "id"),
        {"postgresql_partition_by": "LIST (region)"},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    region: Mapped[str] = mapped_column(String(16), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(JSON)
    units: Mapped[str] = mapped_column(String(16), default="METRIC")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    weight_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserEmail(Base):
    """Global e-mail directory: lower-cased e-mail -> (user id, region)."""

    __tablename__ = "user_emails"

    email_normalized: Mapped[str] = mapped_column(String(320), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    region: Mapped[str] = mapped_column(String(16))


class RefreshToken(Base):
    """One issued refresh token; ``family_id`` is the login session (the token's ``sid``)."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("ix_refresh_tokens_family_id", "family_id"),
        Index("ix_refresh_tokens_user_id", "user_id"),
        ForeignKeyConstraint(["user_id"], ["user_emails.user_id"], ondelete="CASCADE"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # When the login that started the family happened: caps a session's total lifetime however
    # often it is rotated.
    family_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when rotated; presenting a token again after this is reuse -> the family is revoked.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PasswordReset(Base):
    __tablename__ = "password_resets"
    __table_args__ = (
        Index("ix_password_resets_user_id", "user_id"),
        ForeignKeyConstraint(["user_id"], ["user_emails.user_id"], ondelete="CASCADE"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
