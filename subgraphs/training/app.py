"""The training subgraph app: MongoDB (Beanie), event bus, /graphql /health /metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from auth.keys import KeyRing
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.context import make_context_getter
from subgraphs.common.events import EventBus, create_event_bus
from subgraphs.common.identity import authenticator_for
from subgraphs.training.database import TrainingDatabase, open_database
from subgraphs.training.demo import load_demo_bound
from subgraphs.training.imports import ImportRunner
from subgraphs.training.loaders import TrainingLoaders
from subgraphs.training.outbox import relay_forever
from subgraphs.training.schema import create_schema
from subgraphs.training.service import TrainingService
from subgraphs.training.settings import Settings

__all__ = ["TrainingServices", "create_app"]


@dataclass
class TrainingServices:
    """Process-wide dependencies handed to resolvers through the request context."""

    settings: Settings
    bus: EventBus
    training: TrainingService
    imports: ImportRunner
    database: TrainingDatabase | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def create_app(
    settings: Settings | None = None,
    *,
    keyring: KeyRing | None = None,
    bus: EventBus | None = None,
    command_listeners: Sequence[Any] = (),
) -> FastAPI:
    """``bus`` overrides the configured event bus; ``command_listeners`` are pymongo monitors."""
    settings = settings or Settings()
    event_bus = bus or create_event_bus(settings.redis_url, prefix=settings.redis_prefix)
    service = TrainingService(bus=event_bus, settings=settings)
    services = TrainingServices(settings=settings, bus=event_bus, training=service, imports=ImportRunner(service))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        services.database = await open_database(settings, command_listeners=command_listeners)
        if settings.demo_data and services.database.embedded_server is not None:
            await load_demo_bound()
        stop = asyncio.Event()
        relay = asyncio.create_task(relay_forever(event_bus, stop, interval_s=settings.outbox_relay_interval_s))
        try:
            yield
        finally:
            stop.set()
            await relay
            await services.imports.close()
            await services.database.close()
            if bus is None:
                await event_bus.close()

    async def health() -> dict[str, Any]:
        if services.database is None:
            raise RuntimeError("database not open")
        await services.database.client.admin.command("ping")
        return {"database": "ok"}

    context_getter = make_context_getter(
        authenticator=authenticator_for(settings, keyring=keyring),
        loaders_factory=TrainingLoaders,
        services=services,
    )
    app = create_subgraph_app(
        schema=create_schema(mask_errors=settings.mask_errors),
        context_getter=context_getter,
        settings=settings,
        name="training",
        lifespan=lifespan,
        health_check=health,
    )
    app.state.services = services
    return app
