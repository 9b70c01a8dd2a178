"""A running training subgraph for tests: real SecantusDB/MongoDB, real Redis, real HTTP."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis.asyncio as aioredis
from pymongo import AsyncMongoClient, monitoring

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from subgraphs.common.events import Event, RedisEventBus
from subgraphs.training.app import TrainingServices, create_app
from subgraphs.training.service import EVENT_STREAM
from subgraphs.training.settings import Settings
from tests.support.servers import running_server
from tests.support.services import REDIS_URL, unique_name

__all__ = ["CommandCounter", "Harness", "running_training"]


class CommandCounter(monitoring.CommandListener):
    """Counts MongoDB commands per (command name, collection) as the server receives them."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self.commands.append((event.command_name, target if isinstance(target, str) else ""))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None

    def reset(self) -> None:
        self.commands.clear()

    def reads(self, collection: str) -> int:
        return sum(1 for name, target in self.commands if target == collection and name in ("find", "aggregate"))


@dataclass
class Harness:
    url: str
    issuer: TokenIssuer
    services: TrainingServices
    redis: aioredis.Redis
    bus: RedisEventBus
    counter: CommandCounter
    http: httpx.AsyncClient
    settings: Settings
    tokens: dict[tuple[str, tuple[str, ...], tuple[str, ...] | None], str] = field(default_factory=dict)

    def token(self, subject: str, *, roles: tuple[str, ...] = ("user",), scopes: tuple[str, ...] | None = None) -> str:
        key = (subject, roles, scopes)
        if key not in self.tokens:
            self.tokens[key] = self.issuer.issue(subject, roles=list(roles), scopes=scopes)
        return self.tokens[key]

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: str | None = None,
        roles: tuple[str, ...] = ("user",),
        scopes: tuple[str, ...] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if token is None and user is not None:
            token = self.token(user, roles=roles, scopes=scopes)
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        body = await self.gql(query, variables, **kwargs)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        body = await self.gql(query, variables, **kwargs)
        assert body.get("errors"), body
        first: dict[str, Any] = body["errors"][0]
        return first

    async def events(self, subject: str, *, kinds: tuple[str, ...] | None = None) -> list[Event]:
        entries: Any = await self.redis.xrange(self.bus.key(EVENT_STREAM))
        decoded = [Event.decode(fields) for _mid, fields in entries]
        return [e for e in decoded if e.subject == subject and (kinds is None or e.type in kinds)]


def new_user() -> str:
    return str(uuid.uuid4())


@contextlib.asynccontextmanager
async def running_training(mongodb_url: str, **overrides: Any) -> AsyncIterator[Harness]:
    """Serves a fresh subgraph on its own database and Redis prefix; drops both afterwards."""
    database = unique_name("fitgraph_training_test")
    prefix = unique_name("fgtest") + ":"
    settings = Settings(
        mongodb_url=mongodb_url,
        mongodb_database=database,
        redis_url=REDIS_URL,
        redis_prefix=prefix,
        **{"outbox_relay_interval_s": 3600.0, **overrides},
    )
    keyring = KeyRing.ephemeral()
    issuer = TokenIssuer(keyring, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    redis = aioredis.from_url(REDIS_URL)
    bus = RedisEventBus(redis, prefix=prefix)
    counter = CommandCounter()
    app = create_app(settings, keyring=keyring, bus=bus, command_listeners=[counter])
    try:
        async with running_server(app) as url, httpx.AsyncClient(timeout=30) as http:
            yield Harness(
                url=url,
                issuer=issuer,
                services=app.state.services,
                redis=redis,
                bus=bus,
                counter=counter,
                http=http,
                settings=settings,
            )
    finally:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
        try:
            await client.drop_database(database)
        finally:
            await client.close()
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
