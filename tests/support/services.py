"""Per-test-run databases on the real PostgreSQL, Redis and MongoDB-wire servers.

Every name is unique to the run so parallel runs never meet, and everything is dropped after.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from tests.support.servers import free_port

__all__ = [
    "POSTGRES_ADMIN_DSN",
    "REDIS_URL",
    "mongo_server_url",
    "postgres_database_url",
    "redis_key_prefix",
    "unique_name",
]

POSTGRES_ADMIN_DSN = os.environ.get("FITGRAPH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("FITGRAPH_TEST_REDIS", "redis://127.0.0.1:6379/0")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _wait_for_port(port: int, timeout: float = 20.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"MongoDB-wire server did not open port {port}")


def mongo_server_url() -> Iterator[str]:
    """MONGODB_URL when set (make test starts SecantusDB); otherwise a private SecantusDB."""
    url = os.environ.get("MONGODB_URL")
    if url:
        yield url
        return
    executable = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
    port = free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--storage-path", ":memory:"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.asynccontextmanager
async def postgres_database_url(prefix: str = "fitgraph_test") -> AsyncIterator[str]:
    """A fresh PostgreSQL database; yields its SQLAlchemy asyncpg URL, drops it afterwards."""
    name = unique_name(prefix)
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


@contextlib.asynccontextmanager
async def redis_key_prefix() -> AsyncIterator[str]:
    """A key prefix unique to the caller; every key under it is deleted afterwards."""
    prefix = unique_name("fgtest") + ":"
    try:
        yield prefix
    finally:
        client = aioredis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
