"""Per-test-run databases on the real PostgreSQL, Redis and MongoDB-wire servers.

Every name is unique to the run so parallel runs never meet, and everything is dropped after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.support.servers import free_port

__all__ = [
    "POSTGRES_ADMIN_DSN",
    "REDIS_URL",
    "mongo_server_url",
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
