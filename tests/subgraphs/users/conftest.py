from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.subgraphs.users.harness import UsersServer, postgres_database_url, redis_key_prefix, users_server


@pytest.fixture(scope="session")
async def users() -> AsyncIterator[UsersServer]:
    """One users subgraph (PostgreSQL + Redis) shared by the users tests.

    Starting it (database, migration, server) is the expensive part; every test works on its
    own freshly registered accounts, so sharing it keeps tests independent of each other.
    """
    async with postgres_database_url() as url, redis_key_prefix() as prefix, users_server(
        url, redis_prefix=prefix
    ) as server:
        yield server
