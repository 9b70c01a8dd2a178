"""Database engines: the primary database plus optional per-region databases.

The e-mail directory and token tables live on the primary; each region's ``users`` rows live
on ``region_database_urls[region]`` or, by default, on the primary (where PostgreSQL LIST
partitioning keeps each region in its own partition).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool

from subgraphs.users.models import REGIONS

__all__ = ["Databases", "Shard"]

_MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed 64-bit number: serialises concurrent replicas migrating the same database.
_MIGRATION_LOCK_ID = 0x46_49_54_47_52_41_50_48


@dataclass(frozen=True)
class Shard:
    """One database and the regions whose users it holds."""

    engine: AsyncEngine
    regions: tuple[str, ...]


def _engine(url: str, *, pool_size: int, echo: bool) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Pooled: each aiosqlite connection is a thread plus a file open, which cost more
            # CPU than the query itself when paid per request. A checked-out connection still
            # belongs to one task at a time; SQLite's own locking serialises writers as before.
            return create_async_engine(
                url, echo=echo, poolclass=AsyncAdaptedQueuePool, pool_size=pool_size, max_overflow=pool_size
            )
        # In memory every connection is its own database: keep the one-connection-per-use model.
        return create_async_engine(url, echo=echo, poolclass=NullPool)
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class Databases:
    def __init__(
        self,
        primary_url: str,
        region_urls: dict[str, str] | None = None,
        *,
        pool_size: int = 10,
        echo: bool = False,
    ) -> None:
        engines: dict[str, AsyncEngine] = {}

        def engine_for(url: str) -> AsyncEngine:
            if url not in engines:
                engines[url] = _engine(url, pool_size=pool_size, echo=echo)
            return engines[url]

        self.primary = engine_for(primary_url)
        urls = region_urls or {}
        self._by_region = {region: engine_for(urls.get(region, primary_url)) for region in REGIONS}
        self._engines = list(engines.values())
        self.shards = tuple(
            Shard(engine, tuple(r for r in REGIONS if self._by_region[r] is engine)) for engine in self._engines
        )
        self.single = len(self._engines) == 1

    @property
    def engines(self) -> list[AsyncEngine]:
        return list(self._engines)

    def for_region(self, region: str) -> AsyncEngine:
        return self._by_region[region]

    def shards_for(self, regions: Iterable[str] | None) -> list[Shard]:
        wanted = set(REGIONS if regions is None else regions)
        return [shard for shard in self.shards if wanted.intersection(shard.regions)]

    async def migrate(self) -> None:
        """Alembic ``upgrade head`` on every database (DDL is identical on each)."""
        for engine in self._engines:
            async with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
                await connection.run_sync(_upgrade)

    async def dispose(self) -> None:
        await asyncio.gather(*(engine.dispose() for engine in self._engines))


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
