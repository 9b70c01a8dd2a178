"""A real users subgraph on a real PostgreSQL database and Redis, served over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from auth.keys import KeyRing
from auth.passwords import PasswordHasher
from subgraphs.users.app import create_app
from subgraphs.users.reset import RecordingResetSender
from subgraphs.users.settings import Settings
from tests.support.servers import running_server
from tests.support.services import REDIS_URL, postgres_database_url, redis_key_prefix

__all__ = ["GraphQLResult", "UsersServer", "postgres_database_url", "redis_key_prefix", "users_server"]

PASSWORD = "Correct-horse-9"

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken user { id email displayName region roles status } }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken user { id email } }
}
"""


@dataclass
class GraphQLResult:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]

    @property
    def fields(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("field") for e in self.errors]


@dataclass
class UsersServer:
    url: str
    app: FastAPI
    settings: Settings
    keyring: KeyRing
    sender: RecordingResetSender
    client: httpx.AsyncClient
    emails: list[str] = field(default_factory=list)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> GraphQLResult:
        sent = dict(headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        return GraphQLResult(response.status_code, response.json())

    def new_email(self, label: str = "user") -> str:
        email = f"{label}.{uuid.uuid4().hex[:10]}@example.com"
        self.emails.append(email)
        return email

    async def register(
        self, *, email: str | None = None, password: str = PASSWORD, region: str = "EU", name: str = "Test User"
    ) -> dict[str, Any]:
        result = await self.gql(
            REGISTER,
            {"input": {"email": email or self.new_email(), "password": password, "displayName": name, "region": region}},
        )
        assert not result.errors, result.errors
        payload: dict[str, Any] = result.data["register"]
        return payload

    async def login(self, email: str, password: str = PASSWORD) -> GraphQLResult:
        return await self.gql(LOGIN, {"input": {"email": email, "password": password}})

    async def make_admin(self) -> dict[str, Any]:
        """A registered account promoted to admin directly in the store, then logged in."""
        account = await self.register()
        service = self.app.state.service
        await service.store.update_user(
            user_id=uuid.UUID(account["user"]["id"]), region="EU", changes={"roles": ["admin", "user"]}
        )
        result = await self.login(account["user"]["email"])
        assert not result.errors, result.errors
        payload: dict[str, Any] = result.data["login"]
        return payload


@asynccontextmanager
async def users_server(
    database_url: str, *, redis_prefix: str | None, keys_dir: Path | None = None, **overrides: Any
) -> AsyncIterator[UsersServer]:
    """Serve the users app; ``redis_prefix=None`` uses the in-memory kv backend."""
    options: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": REDIS_URL if redis_prefix is not None else None,
        "redis_prefix": redis_prefix or "fitgraph:",
        "login_failures_per_address": 10_000,
        "database_pool_size": 4,
        **overrides,
    }
    if keys_dir is not None:
        options["jwt_keys_dir"] = keys_dir
    settings = Settings(**options)
    keyring = KeyRing.ephemeral()
    sender = RecordingResetSender()
    app = create_app(settings, keyring=keyring, reset_sender=sender, password_hasher=PasswordHasher.for_tests())
    async with running_server(app) as url, httpx.AsyncClient(timeout=30) as client:
        yield UsersServer(url=url, app=app, settings=settings, keyring=keyring, sender=sender, client=client)
