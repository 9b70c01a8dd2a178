"""/health reports the database; it turns 503 when the database is gone."""

from __future__ import annotations

import asyncpg

from tests.subgraphs.users.harness import postgres_database_url, users_server
from tests.support.services import POSTGRES_ADMIN_DSN


async def test_health_follows_the_database() -> None:
    async with postgres_database_url() as url, users_server(url, redis_prefix=None) as server:
        healthy = await server.client.get(f"{server.url}/health")
        assert healthy.status_code == 200
        assert healthy.json()["database"] == "ok"
        name = url.rsplit("/", 1)[1]
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        broken = await server.client.get(f"{server.url}/health")
        assert broken.status_code == 503
        assert broken.json()["status"] == "unavailable"
