"""`fitgraph subgraph NAME`: a real process serving the users subgraph on a chosen port."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from cli import app
from tests.support.servers import free_port


async def test_fitgraph_subgraph_users_serves_on_the_given_port(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "FITGRAPH_USERS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'users.sqlite3'}",
        "FITGRAPH_USERS_JWT_KEYS_DIR": str(tmp_path / "keys"),
    }
    env.pop("FITGRAPH_USERS_REDIS_URL", None)
    executable = Path(sys.executable).with_name("fitgraph")
    process = await asyncio.create_subprocess_exec(
        str(executable), "subgraph", "users", "--host", "127.0.0.1", "--port", str(port),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            health = None
            for _ in range(600):
                if process.returncode is not None:
                    raise AssertionError(await process.stderr.read() if process.stderr else "exited")
                try:
                    health = await client.get(f"http://127.0.0.1:{port}/health")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert health is not None and health.json()["service"] == "users"
            result = await client.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ _service { sdl } }"})
            assert 'type User @key(fields: "id")' in result.json()["data"]["_service"]["sdl"]
    finally:
        process.terminate()
        await asyncio.wait_for(process.communicate(), timeout=15)
    assert (tmp_path / "users.sqlite3").exists()


def test_unknown_subgraph_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["subgraph", "no_such_subgraph"])
    assert result.exit_code == 2
    assert "no subgraph named" in result.output
