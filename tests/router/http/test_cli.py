"""`fitgraph router` as the audit runs it: a real process serving a real supergraph."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import httpx
import orjson
from typer.testing import CliRunner, Result

from cli import app
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs
from tests.support.servers import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]


async def _wait_healthy(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if process.returncode is not None:
            raise AssertionError("the router exited before it was healthy")
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/health")).status_code == 200:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the router never became healthy")


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


async def test_router_command_serves_the_supergraph(subgraphs: Subgraphs, tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(subgraphs.sdl)
    port = free_port()
    process = await _fitgraph("router", "--supergraph", str(supergraph), "--port", str(port))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await _wait_healthy(client, process)
            response = await client.post(
                "/graphql",
                content=orjson.dumps({"query": '{ product(id: "3") { name reviews { body } } }'}),
                headers={**JSON_HEADERS, "accept": "application/json"},
            )
            assert response.status_code == 200
            assert response.json() == {"data": {"product": {"name": "Rowing machine", "reviews": []}}}
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    # The per-request log line is JSON on stderr.
    lines = [orjson.loads(line) for line in stderr.splitlines() if line.startswith(b"{")]
    assert any(line.get("event") == "graphql_request" and line.get("status") == 200 for line in lines)


def _invoke(*args: str) -> Result:
    """In-process run of the command line (no server starts on these paths)."""
    return CliRunner().invoke(app, list(args))


def test_router_command_refuses_bad_inputs(tmp_path: Path) -> None:
    invalid = tmp_path / "invalid.graphql"
    invalid.write_text("type Query { a: String }")  # not a supergraph: no join/link
    result = _invoke("router", "--supergraph", str(invalid), "--port", str(free_port()))
    assert result.exit_code == 1
    assert "cannot load supergraph" in result.stderr

    config = tmp_path / "router.yaml"
    config.write_text("limits:\n  max_dept: 3\n")
    result = _invoke("router", "--supergraph", str(invalid), "--config", str(config))
    assert result.exit_code == 1
    assert "limits.max_dept: unknown key" in result.stderr

    result = _invoke("router", "--supergraph", str(tmp_path / "absent.graphql"))
    assert result.exit_code == 1
    assert "cannot read supergraph" in result.stderr

    result = _invoke("router")
    assert result.exit_code == 1
    assert "no supergraph" in result.stderr

    # supergraph.path in router.yaml is relative to the file, not to the working directory.
    relative = tmp_path / "conf" / "router.yaml"
    relative.parent.mkdir()
    relative.write_text("supergraph:\n  path: graphs/missing.graphql\n")
    result = _invoke("router", "--config", str(relative))
    assert result.exit_code == 1
    assert f"cannot read supergraph {tmp_path}/conf/graphs/missing.graphql" in result.stderr


def test_plan_command_prints_the_plan(subgraphs: Subgraphs, tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(subgraphs.sdl)
    query = tmp_path / "query.graphql"
    query.write_text("query Top { products { name reviews { stars } } }")
    result = _invoke("router", "plan", "--supergraph", str(supergraph), "--query", str(query))
    assert result.exit_code == 0, result.stderr
    assert "products" in result.stdout and "reviews" in result.stdout and "_entities" in result.stdout

    inline = _invoke("router", "plan", "--supergraph", str(supergraph), "--query", '{ product(id: "1") { name } }')
    assert inline.exit_code == 0, inline.stderr
    assert "product" in inline.stdout and "_entities" not in inline.stdout

    for query_text, message in (("{ nope }", "invalid against the API schema"), ("{ broken", "does not parse")):
        bad = _invoke("router", "plan", "--supergraph", str(supergraph), "--query", query_text)
        assert bad.exit_code == 1
        assert message in bad.stderr
