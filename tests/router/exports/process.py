"""The real `fitgraph router` process (the CLI, as deployed) serving the ledger export, its
stdout and stderr in `<tmp_path>/router.log`; yields a client and the process id."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.router.caching.support import AUTH
from tests.router.exports.generated import LEDGER_EXPORT, LEDGER_SUPERGRAPH
from tests.support.servers import free_port

__all__ = ["running_router"]

REPO_ROOT = Path(__file__).resolve().parents[3]


@contextlib.asynccontextmanager
async def running_router(
    tmp_path: Path, ledger_url: str, *, exports: dict[str, Any] | None = None, level: str = "warning"
) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "ledger.graphql").write_text(LEDGER_EXPORT, encoding="utf-8")
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(LEDGER_SUPERGRAPH, encoding="utf-8")
    assert AUTH.hs256_secret is not None
    config = {
        "logging": {"level": level},
        "auth": {
            "issuer": AUTH.issuer,
            "audience": AUTH.audience,
            "algorithms": ["HS256"],
            "hs256_secret": AUTH.hs256_secret.get_secret_value(),
        },
        "subgraphs": {"overrides": {"ledger": {"url": ledger_url}}},
        "exports": {"enabled": True, "directory": "exports", **(exports or {})},
    }
    (tmp_path / "router.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    with (tmp_path / "router.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import cli; cli.main()", "router",
            "--supergraph", str(supergraph), "--config", str(tmp_path / "router.yaml"), "--port", str(port),
            cwd=REPO_ROOT, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                for _ in range(1200):  # up to a minute on a loaded machine
                    if process.returncode is not None:
                        raise AssertionError("the router exited: " + (tmp_path / "router.log").read_text())
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get("/health")).status_code == 200:
                            break
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError(
                        "the router never became healthy: " + (tmp_path / "router.log").read_text()
                    )
                yield client, process.pid
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await asyncio.wait_for(process.wait(), timeout=20)
