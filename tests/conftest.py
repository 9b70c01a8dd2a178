"""Shared fixtures: real PostgreSQL, Redis and MongoDB-wire databases unique to this run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
import redis.asyncio as aioredis

from tests.support.services import POSTGRES_ADMIN_DSN, REDIS_URL, mongo_server_url, unique_name


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
    name = unique_name("fitgraph_test")
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix unique to the test; every key under it is deleted afterwards."""
    prefix = unique_name("fgtest") + ":"
    yield prefix
    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
