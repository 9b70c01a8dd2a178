"""FitGraph's own stack for the attack and fuzz tests: the supergraph composed from
supergraph.yaml, the real users (PostgreSQL + Redis) and training (MongoDB wire + Redis)
subgraph apps on loopback, and the real router app (router.app.create_app) configured from
router.yaml with `auth` pointing at the users subgraph's JWKS.

Each subgraph app is wrapped in an ASGI counter, so a test can prove that a refused request
never reached a subgraph (the only honest way to say "refused before any work" without a
timed assertion)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
import yaml
from pymongo import AsyncMongoClient

from auth.keys import KeyRing
from auth.passwords import PasswordHasher
from auth.tokens import TokenIssuer
from router.app import create_app as create_router_app
from router.config import RouterConfig, parse_config
from schema.artifacts import compose_config
from schema.config import load_config as load_supergraph_config
from subgraphs.common.events import RedisEventBus
from subgraphs.training.app import create_app as create_training_app
from subgraphs.training.settings import Settings as TrainingSettings
from subgraphs.users.app import create_app as create_users_app
from subgraphs.users.reset import RecordingResetSender
from subgraphs.users.settings import Settings as UsersSettings
from tests.subgraphs.users.harness import postgres_database_url, redis_key_prefix
from tests.support.servers import running_server
from tests.support.services import REDIS_URL, unique_name

__all__ = [
    "AUDIENCE",
    "ISSUER",
    "ROOT",
    "CountingApp",
    "FitGraphStack",
    "fitgraph_stack",
    "router_config",
    "serve_router",
]

ROOT = Path(__file__).resolve().parents[3]
# The users subgraph's defaults: the router is configured for the tokens it issues.
ISSUER = "https://fitgraph.local"
AUDIENCE = "fitgraph"
# A budget no test comes near: the rate limit is exercised in tests/router/security, and here
# it must never be the reason a request is refused.
_GENEROUS_BUCKET = {"capacity": 100_000, "refill_per_second": 10_000}


@dataclass
class CountingApp:
    """An ASGI wrapper that counts the GraphQL requests (not JWKS fetches) an app receives."""

    app: Any
    graphql_requests: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql":
            self.graphql_requests += 1
        await self.app(scope, receive, send)


@dataclass
class FitGraphStack:
    supergraph_sdl: str
    ring: KeyRing
    users: CountingApp
    training: CountingApp
    urls: dict[str, str]
    jwks_url: str

    @property
    def subgraph_requests(self) -> int:
        return self.users.graphql_requests + self.training.graphql_requests

    def issuer(self, *, clock_offset: float = 0.0, audience: str = AUDIENCE, issuer: str = ISSUER) -> TokenIssuer:
        return TokenIssuer(self.ring, issuer=issuer, audience=audience, clock=lambda: time.time() + clock_offset)

    def token(self, subject: str = "00000000-0000-4000-8000-000000000001", **options: Any) -> str:
        return self.issuer(**options).issue(subject, roles=["user"])


def router_config(stack: FitGraphStack, **changes: Any) -> RouterConfig:
    """router.yaml as committed (env defaults), pointed at this stack; `changes` replace
    top-level sections."""
    raw = yaml.safe_load((ROOT / "router.yaml").read_text(encoding="utf-8"))
    raw["subgraphs"]["overrides"] = {name: {"url": f"{url}/graphql"} for name, url in stack.urls.items()}
    raw["rate_limit"]["tiers"] = {tier: dict(_GENEROUS_BUCKET) for tier in raw["rate_limit"]["tiers"]}
    raw["supergraph"] = {"path": None, "poll_interval": 0}
    raw.update(changes)
    environ = {"ROUTER_JWKS_URL": stack.jwks_url, "ROUTER_RATE_LIMIT_BACKEND": "memory"}
    return parse_config(raw, environ)


async def _compose() -> str:
    composed = await compose_config(load_supergraph_config(ROOT / "supergraph.yaml"))
    return composed.result.unwrap()


@contextlib.asynccontextmanager
async def _training_app(mongodb_url: str, ring: KeyRing) -> AsyncIterator[CountingApp]:
    database = unique_name("fitgraph_attacks")
    prefix = unique_name("fgtest") + ":"
    settings = TrainingSettings(
        mongodb_url=mongodb_url,
        mongodb_database=database,
        redis_url=REDIS_URL,
        redis_prefix=prefix,
        outbox_relay_interval_s=3600.0,
    )
    redis = aioredis.from_url(REDIS_URL)
    try:
        yield CountingApp(create_training_app(settings, keyring=ring, bus=RedisEventBus(redis, prefix=prefix)))
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


@contextlib.asynccontextmanager
async def fitgraph_stack(mongodb_url: str) -> AsyncIterator[FitGraphStack]:
    """Both subgraphs served on loopback, sharing one RS256 key ring (the users subgraph
    issues tokens with it and publishes its JWKS; training verifies with it)."""
    sdl = await _compose()
    ring = KeyRing.ephemeral("RS256")
    async with (
        postgres_database_url() as database_url,
        redis_key_prefix() as users_prefix,
        _training_app(mongodb_url, ring) as training,
    ):
        users = CountingApp(
            create_users_app(
                UsersSettings(
                    database_url=database_url,
                    redis_url=REDIS_URL,
                    redis_prefix=users_prefix,
                    database_pool_size=2,
                ),
                keyring=ring,
                reset_sender=RecordingResetSender(),
                password_hasher=PasswordHasher.for_tests(),
            )
        )
        async with running_server(users) as users_url, running_server(training) as training_url:
            yield FitGraphStack(
                supergraph_sdl=sdl,
                ring=ring,
                users=users,
                training=training,
                urls={"users": users_url, "training": training_url},
                jwks_url=f"{users_url}/.well-known/jwks.json",
            )


@contextlib.asynccontextmanager
async def serve_router(stack: FitGraphStack, config: RouterConfig) -> AsyncIterator[httpx.AsyncClient]:
    """The real router app on loopback; yields a client bound to it."""
    app = create_router_app(config, stack.supergraph_sdl, base_dir=ROOT)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        yield client
