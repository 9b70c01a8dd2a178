"""Shared fixtures: real PostgreSQL, Redis and MongoDB-wire databases unique to this run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.services import (
    REDIS_URL,
    mongo_server_url,
    postgres_database_url,
    redis_key_prefix,
    unique_name,
)


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    yield from mongo_server_url()


@pytest.fixture
def mongo_database_name() -> str:
    """A fresh database name; the subgraph fixture that uses it drops it afterwards."""
    return unique_name("fitgraph_test")


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database; yields its SQLAlchemy asyncpg URL, drops it afterwards."""
    async with postgres_database_url() as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix unique to the test; every key under it is deleted afterwards."""
    async with redis_key_prefix() as prefix:
        yield prefix
