"""Node.js programs in tests: npm packages installed from a committed lock file, scripts run
under Node with a deadline. node_modules is git-ignored; `npm ci` runs once per directory."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from pathlib import Path

__all__ = ["npm_ci", "run_node"]


async def _run(argv: list[str], *, cwd: Path, env: Mapping[str, str] | None, deadline: float) -> bytes:
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=dict(env) if env is not None else None,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=deadline)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"{' '.join(argv)} did not finish within {deadline:g} s") from None
    assert process.returncode == 0, f"{' '.join(argv)} failed ({process.returncode}):\n{err.decode()}"
    return out


async def npm_ci(directory: Path, *, installed: str) -> None:
    """`npm ci` in `directory` unless node_modules/`installed` (a package's directory) exists."""
    if (directory / "node_modules" / installed / "package.json").exists():
        return
    npm = shutil.which("npm")
    assert npm is not None, f"Node.js and npm are needed to install {directory.name}"
    await _run([npm, "ci", "--no-audit", "--no-fund"], cwd=directory, env=None, deadline=300)


async def run_node(script: Path, *, env: Mapping[str, str], deadline: float = 60) -> bytes:
    """Run `script` under Node in its own directory; its standard output."""
    node = shutil.which("node")
    assert node is not None, f"Node.js is needed to run {script.name}"
    return await _run([node, str(script)], cwd=script.parent, env=env, deadline=deadline)
