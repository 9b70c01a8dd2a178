"""`fitgraph router --supergraph-url` (issue 6): the supergraph is fetched once at start (a
start fails with a clear error when it cannot be fetched or is invalid), then polled."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from cli import app as cli_app
from tests.router.support.reload import (
    ANSWERS,
    NOT_A_SUPERGRAPH,
    QUERY,
    Registry,
    running_federation,
    running_registry,
)
from tests.support.servers import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"content-type": "application/json"}
DEAD_URL = "http://127.0.0.1:1/supergraph.graphql"  # nothing listens on port 1


def test_router_command_refuses_bad_url_options(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(cli_app, ["router", "--supergraph", "s.graphql", "--supergraph-url", "http://x/s"])
    assert both.exit_code == 1 and "--supergraph and --supergraph-url are mutually exclusive" in both.stderr
    scheme = runner.invoke(cli_app, ["router", "--supergraph-url", "file:///etc/passwd"])
    assert scheme.exit_code == 1
    assert "--supergraph-url: 'file:///etc/passwd' is not an http:// or https:// URL" in scheme.stderr
    dead = runner.invoke(cli_app, ["router", "--supergraph-url", DEAD_URL])
    assert dead.exit_code == 1 and f"cannot fetch supergraph {DEAD_URL}: " in dead.stderr
    config = tmp_path / "router.yaml"
    config.write_text("supergraph:\n  path: s.graphql\n  url: http://registry/s.graphql\n")
    clash = runner.invoke(cli_app, ["router", "--config", str(config)])
    assert clash.exit_code == 1 and "supergraph: path and url are mutually exclusive" in clash.stderr


async def _fitgraph(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import cli; cli.main()",
        *args,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_router_command_refuses_an_invalid_supergraph_url() -> None:
    registry = Registry(NOT_A_SUPERGRAPH)
    async with running_registry(registry) as url:
        process = await _fitgraph("router", "--supergraph-url", url, "--port", str(free_port()))
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert f"error: cannot load supergraph {url}: " in stderr.decode()


async def _wait_for(client: httpx.AsyncClient, process: asyncio.subprocess.Process, expected: Any) -> None:
    for _ in range(1000):
        if process.returncode is not None:
            raise AssertionError("the router exited")
        with contextlib.suppress(httpx.TransportError):
            response = await client.post("/graphql", json={"query": QUERY}, headers=HEADERS)
            if response.status_code == 200 and response.json() == {"data": expected}:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the router never answered {expected}")


async def test_router_command_fetches_and_polls_the_supergraph_url(tmp_path: Path) -> None:
    async with running_federation() as federation:
        registry = Registry(federation.sdl("V1"))
        async with running_registry(registry) as url:
            config = tmp_path / "router.yaml"
            # router.yaml names a file; --supergraph-url replaces it.
            config.write_text("supergraph:\n  path: absent.graphql\n  poll_interval: 0.05\n")
            port = free_port()
            process = await _fitgraph(
                "router", "--supergraph-url", url, "--config", str(config), "--port", str(port)
            )
            try:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                    await _wait_for(client, process, ANSWERS["V1"])
                    registry.publish(federation.sdl("V3"))
                    await _wait_for(client, process, ANSWERS["V3"])
            finally:
                process.terminate()
                _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert b'"event":"supergraph_reloaded"' in stderr
    assert 304 in registry.statuses
