"""MongoDB connection of the training subgraph: client, Beanie init and indexes.

With ``mongodb_url`` unset an in-process SecantusDB (MongoDB wire protocol) is started, so
``make dev`` needs no database server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient

from subgraphs.training.models import ALL_DOCUMENTS
from subgraphs.training.settings import Settings

__all__ = ["TrainingDatabase", "open_database"]


@dataclass
class TrainingDatabase:
    client: AsyncMongoClient[dict[str, Any]]
    name: str
    embedded_server: Any | None = None

    async def close(self) -> None:
        await self.client.close()
        if self.embedded_server is not None:
            await asyncio.to_thread(self.embedded_server.stop)
            self.embedded_server = None


async def open_database(settings: Settings, *, command_listeners: Sequence[Any] = ()) -> TrainingDatabase:
    """Connects, binds the Beanie documents and creates every index (idempotent)."""
    server: Any | None = None
    url = settings.mongodb_url
    if url is None:
        from secantus import SecantusDBServer

        server = SecantusDBServer(storage_path=":memory:")
        await asyncio.to_thread(server.start)
        url = server.uri
    # tz_aware so datetimes read back as UTC-aware values, the way they were written.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        url, tz_aware=True, tzinfo=dt.UTC, event_listeners=list(command_listeners)
    )
    try:
        await init_beanie(database=client[settings.mongodb_database], document_models=list(ALL_DOCUMENTS))
    except BaseException:
        await client.close()
        if server is not None:
            await asyncio.to_thread(server.stop)
        raise
    return TrainingDatabase(client=client, name=settings.mongodb_database, embedded_server=server)
