"""Data functions of the users subgraph: the only module that queries the databases.

Reads by id issue ONE statement per database that holds users (one in the default,
single-database deployment), whatever the number of ids.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    Uuid,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.users.db import Databases, Shard
from subgraphs.users.models import PasswordReset, RefreshToken, User, UserEmail
from subgraphs.users.records import EmailTaken, RefreshOutcome, UserFilter, UserRecord, aware, utcnow

__all__ = [
    "EmailTaken",
    "RefreshOutcome",
    "UserFilter",
    "UserRecord",
    "UserStore",
    "utcnow",
]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_users = _table(User)
_emails = _table(UserEmail)
_refresh = _table(RefreshToken)
_resets = _table(PasswordReset)


def _id_in(engine: AsyncEngine) -> ColumnElement[bool]:
    """``id`` among the ``ids`` parameter, bound at execution time."""
    if engine.dialect.name == "postgresql":
        # One array parameter: the same prepared statement serves every batch size (an IN list
        # would prepare a new statement for each distinct number of ids).
        return _users.c.id == any_(bindparam("ids", type_=ARRAY(Uuid())))
    return _users.c.id.in_(bindparam("ids", expanding=True, type_=Uuid()))


class UserStore:
    def __init__(self, databases: Databases) -> None:
        self.db = databases
        # users_by_ids serves every entity lookup: its statements are built once per shard,
        # with the ids as a parameter, instead of per call.
        self._by_ids = [(shard, self._by_ids_statement(shard)) for shard in databases.shards]

    def _by_ids_statement(self, shard: Shard) -> Select[Any]:
        query = select(_users).where(_id_in(shard.engine))
        if not self.db.single:
            query = query.where(_users.c.region.in_(shard.regions))
        return query

    # ---- users -------------------------------------------------------------------------

    async def users_by_ids(self, *, ids: Sequence[uuid.UUID]) -> list[UserRecord]:
        if not ids:
            return []
        records: list[UserRecord] = []
        parameters = {"ids": list(ids)}
        for shard, query in self._by_ids:
            async with shard.engine.connect() as connection:
                result = await connection.execute(query, parameters)
                records.extend(UserRecord.from_row(row) for row in result)
        return records

    async def user_by_email(self, *, email_normalized: str) -> UserRecord | None:
        async with self.db.primary.connect() as connection:
            entry = (
                await connection.execute(select(_emails).where(_emails.c.email_normalized == email_normalized))
            ).first()
        if entry is None:
            return None
        found = await self.users_by_ids(ids=[entry.user_id])
        return found[0] if found else None

    async def create_user(self, *, record: UserRecord, email_normalized: str) -> None:
        """Insert the directory entry and the user row atomically; raises EmailTaken."""
        directory = {"email_normalized": email_normalized, "user_id": record.id, "region": record.region}
        regional = self.db.for_region(record.region)
        regional_committed = False
        try:
            async with self.db.primary.begin() as connection:
                await connection.execute(insert(_emails).values(directory))
                if regional is self.db.primary:
                    await connection.execute(insert(_users).values(record.values()))
                else:
                    # Two databases: the user row commits first, inside the still-open directory
                    # transaction; if it fails the directory insert rolls back with it ...
                    async with regional.begin() as region_connection:
                        await region_connection.execute(insert(_users).values(record.values()))
                    regional_committed = True
        except BaseException as error:
            if regional_committed:
                # ... and if the directory commit fails afterwards, the user row is removed.
                async with regional.begin() as region_connection:
                    await region_connection.execute(
                        delete(_users).where(_users.c.id == record.id, _users.c.region == record.region)
                    )
            if isinstance(error, IntegrityError) and await self._email_exists(email_normalized):
                raise EmailTaken(email_normalized) from error
            raise

    async def create_users_bulk(self, *, records: Sequence[tuple[UserRecord, str]]) -> int:
        """Insert (record, email_normalized) pairs whose id is not stored yet; returns how many.

        For seeding (demo data): one transaction per database instead of one per user.
        """
        existing = {user.id for user in await self.users_by_ids(ids=[r.id for r, _ in records])}
        missing = [(record, email) for record, email in records if record.id not in existing]
        if not missing:
            return 0
        async with self.db.primary.begin() as connection:
            await connection.execute(
                insert(_emails),
                [{"email_normalized": e, "user_id": r.id, "region": r.region} for r, e in missing],
            )
            for shard in self.db.shards:
                rows = [r.values() for r, _ in missing if r.region in shard.regions]
                if not rows:
                    continue
                if shard.engine is self.db.primary:
                    await connection.execute(insert(_users), rows)
                else:
                    async with shard.engine.begin() as region_connection:
                        await region_connection.execute(insert(_users), rows)
        return len(missing)

    async def _email_exists(self, email_normalized: str) -> bool:
        async with self.db.primary.connect() as connection:
            query = select(_emails.c.user_id).where(_emails.c.email_normalized == email_normalized)
            return (await connection.execute(query)).first() is not None

    async def update_user(self, *, user_id: uuid.UUID, region: str, changes: dict[str, Any]) -> UserRecord | None:
        values = {**changes, "updated_at": utcnow()}
        async with self.db.for_region(region).begin() as connection:
            result = await connection.execute(
                update(_users)
                .where(_users.c.id == user_id, _users.c.region == region)
                .values(values)
                .returning(*_users.c)
            )
            row = result.first()
        return None if row is None else UserRecord.from_row(row)

    async def list_users(
        self, *, filter: UserFilter, first: int, after: tuple[datetime, uuid.UUID] | None
    ) -> list[UserRecord]:
        """Up to ``first`` users ordered by (created_at, id), strictly after the ``after`` key."""
        conditions: list[Any] = []
        if filter.status is not None:
            conditions.append(_users.c.status == filter.status)
        if filter.email_contains:
            pattern = "%" + filter.email_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(_users.c.email.ilike(pattern, escape="\\"))
        if filter.role is not None:
            # Roles are a JSON array (portable across PostgreSQL and SQLite); role names are
            # validated enum values, so they carry no LIKE wildcards.
            conditions.append(cast(_users.c.roles, String).like(f'%"{filter.role}"%'))
        if after is not None:
            created, last_id = after
            conditions.append(
                or_(_users.c.created_at > created, and_(_users.c.created_at == created, _users.c.id > last_id))
            )
        pages: list[list[UserRecord]] = []
        for shard in self.db.shards_for(filter.regions):
            regions = [r for r in shard.regions if filter.regions is None or r in filter.regions]
            query = (
                select(_users)
                .where(_users.c.region.in_(regions), *conditions)
                .order_by(_users.c.created_at, _users.c.id)
                .limit(first)
            )
            async with shard.engine.connect() as connection:
                pages.append([UserRecord.from_row(row) for row in await connection.execute(query)])
        merged = heapq.merge(*pages, key=lambda r: (r.created_at, r.id))
        return [record for _, record in zip(range(first), merged, strict=False)]

    # ---- refresh tokens ----------------------------------------------------------------

    async def add_refresh_token(
        self, *, token_hash: str, user_id: uuid.UUID, family_id: uuid.UUID, ttl_seconds: int
    ) -> None:
        now = utcnow()
        async with self.db.primary.begin() as connection:
            await connection.execute(
                insert(_refresh).values(
                    token_hash=token_hash,
                    user_id=user_id,
                    family_id=family_id,
                    family_started_at=now,
                    created_at=now,
                    expires_at=now + timedelta(seconds=ttl_seconds),
                )
            )

    async def rotate_refresh_token(
        self, *, token_hash: str, new_token_hash: str, ttl_seconds: int, family_max_age_seconds: int
    ) -> RefreshOutcome:
        """Spend ``token_hash`` and store its successor in one transaction.

        A token presented after it was spent is reuse (RFC 9700 §4.14.2): the caller revokes
        the whole family. The conditional UPDATE makes two concurrent rotations of one token
        end with exactly one winner.
        """
        now = utcnow()
        async with self.db.primary.begin() as connection:
            row = (await connection.execute(select(_refresh).where(_refresh.c.token_hash == token_hash))).first()
            if row is None:
                return RefreshOutcome("invalid")
            outcome = RefreshOutcome("ok", row.user_id, row.family_id)
            if row.revoked_at is not None:
                return RefreshOutcome("revoked", row.user_id, row.family_id)
            if row.used_at is not None:
                return RefreshOutcome("reused", row.user_id, row.family_id)
            family_end = aware(row.family_started_at) + timedelta(seconds=family_max_age_seconds)
            if aware(row.expires_at) <= now or family_end <= now:
                return RefreshOutcome("expired", row.user_id, row.family_id)
            spent = await connection.execute(
                update(_refresh)
                .where(_refresh.c.token_hash == token_hash, _refresh.c.used_at.is_(None))
                .values(used_at=now)
            )
            if spent.rowcount != 1:
                return RefreshOutcome("reused", row.user_id, row.family_id)
            # The successor never outlives the family's absolute lifetime.
            expires = min(now + timedelta(seconds=ttl_seconds), family_end)
            await connection.execute(
                insert(_refresh).values(
                    token_hash=new_token_hash,
                    user_id=row.user_id,
                    family_id=row.family_id,
                    family_started_at=row.family_started_at,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return outcome

    async def revoke_family(self, *, family_id: uuid.UUID) -> None:
        async with self.db.primary.begin() as connection:
            await connection.execute(
                update(_refresh)
                .where(_refresh.c.family_id == family_id, _refresh.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )

    async def revoke_user_families(
        self, *, user_id: uuid.UUID, keep_family: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        """Revoke every live refresh family of a user (except ``keep_family``); returns their ids."""
        conditions = [_refresh.c.user_id == user_id, _refresh.c.revoked_at.is_(None)]
        if keep_family is not None:
            conditions.append(_refresh.c.family_id != keep_family)
        async with self.db.primary.begin() as connection:
            families = (
                await connection.execute(select(_refresh.c.family_id).where(*conditions).distinct())
            ).scalars()
            family_ids = list(families)
            await connection.execute(update(_refresh).where(*conditions).values(revoked_at=utcnow()))
        return family_ids

    async def family_is_live(self, *, family_id: uuid.UUID) -> bool:
        async with self.db.primary.connect() as connection:
            query = select(_refresh.c.token_hash).where(
                _refresh.c.family_id == family_id, _refresh.c.revoked_at.is_(None)
            )
            return (await connection.execute(query.limit(1))).first() is not None

    # ---- password resets ---------------------------------------------------------------

    async def add_password_reset(self, *, token_hash: str, user_id: uuid.UUID, ttl_seconds: float) -> None:
        now = utcnow()
        async with self.db.primary.begin() as connection:
            # One outstanding reset per account: a new request invalidates older tokens.
            await connection.execute(delete(_resets).where(_resets.c.user_id == user_id))
            await connection.execute(
                insert(_resets).values(
                    token_hash=token_hash,
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + timedelta(seconds=ttl_seconds),
                )
            )

    async def consume_password_reset(self, *, token_hash: str) -> uuid.UUID | None:
        """Spend a reset token; None when unknown, already used or expired (single use)."""
        now = utcnow()
        async with self.db.primary.begin() as connection:
            result = await connection.execute(
                update(_resets)
                .where(
                    _resets.c.token_hash == token_hash,
                    _resets.c.used_at.is_(None),
                    _resets.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(_resets.c.user_id)
            )
            return result.scalar_one_or_none()

    async def directory_entry(self, *, user_id: uuid.UUID) -> tuple[str, str] | None:
        """(email_normalized, region) of a user id."""
        async with self.db.primary.connect() as connection:
            row = (await connection.execute(select(_emails).where(_emails.c.user_id == user_id))).first()
        return None if row is None else (row.email_normalized, row.region)

    async def ping(self) -> None:
        for engine in self.db.engines:
            async with engine.connect() as connection:
                await connection.execute(select(1))
