"""`fitgraph dev`: the whole platform on embedded defaults, with demo data, in one terminal.

Every subgraph that exists runs as its own process on its fixed port (DESIGN §4: SQLite for
users, an embedded SecantusDB for the MongoDB-backed subgraphs, in-memory backends instead of
Redis); the router runs in front of them on port 4000 once a supergraph can be composed.
Ctrl-C stops everything.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from cli import app

__all__ = ["SUBGRAPH_PORTS", "dev"]

ROUTER_PORT = 4000
SUBGRAPH_PORTS: dict[str, int] = {
    "users": 4001,
    "training": 4002,
    "social": 4003,
    "notifications": 4004,
    "analytics": 4005,
    "devices": 4006,
}
MONGO_BACKED = ("training", "social", "analytics")
STATE_DIR = Path(".fitgraph")


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]


def _installed_subgraphs() -> list[str]:
    present = []
    for name in SUBGRAPH_PORTS:
        try:
            importlib.import_module(f"subgraphs.{name}.app")
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith(f"subgraphs.{name}"):
                continue
            raise
        present.append(name)
    return present


def _wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _dev_environment(names: list[str], mongodb_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    keys_dir = str((STATE_DIR / "keys").resolve())
    jwks_url = f"http://127.0.0.1:{SUBGRAPH_PORTS['users']}/.well-known/jwks.json"
    for name in names:
        prefix = f"FITGRAPH_{name.upper()}_"
        env.setdefault(f"{prefix}PORT", str(SUBGRAPH_PORTS[name]))
        env.setdefault(f"{prefix}JWT_KEYS_DIR", keys_dir)
        if name != "users":
            env.setdefault(f"{prefix}JWKS_URL", jwks_url)
        if name in MONGO_BACKED and mongodb_url:
            env.setdefault(f"{prefix}MONGODB_URL", mongodb_url)
    env.setdefault("FITGRAPH_USERS_DATABASE_URL", f"sqlite+aiosqlite:///{(STATE_DIR / 'users.sqlite3').resolve()}")
    return env


def _apply_environment(env: dict[str, str]) -> None:
    for key, value in env.items():
        if key.startswith("FITGRAPH_"):
            os.environ[key] = value


async def _load_demo_data(names: list[str]) -> None:
    for name in names:
        try:
            demo = importlib.import_module(f"subgraphs.{name}.demo")
        except ModuleNotFoundError:
            continue
        settings_module = importlib.import_module(f"subgraphs.{name}.settings")
        settings: Any = settings_module.Settings()
        typer.echo(f"  loading demo data for {name} …")
        await demo.load_demo_data(settings)


def _start(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> _Child:
    log = (log_dir / f"{name}.log").open("ab")
    process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    return _Child(name, process)


def _stop_all(children: list[_Child]) -> None:
    """Newest first, one at a time: the router before the subgraphs, the subgraphs before the
    database they flush to on shutdown (stopped together, a subgraph would wait on a dead
    MongoDB until it is killed)."""
    for child in reversed(children):
        if child.process.poll() is not None:
            continue
        child.process.terminate()
        try:
            child.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def _compose_supergraph(env: dict[str, str]) -> Path | None:
    """Compose FitGraph's supergraph for the running subgraphs; None when composition is absent."""
    try:
        importlib.import_module("cli.compose")
    except ModuleNotFoundError:
        return None
    output = STATE_DIR / "supergraph.graphql"
    completed = subprocess.run(
        [_bin("fitgraph"), "compose", "--config", "supergraph.yaml", "--output", str(output)],
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        typer.echo(f"  composition failed, router not started:\n{completed.stdout}{completed.stderr}", err=True)
        return None
    return output


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@app.command()
def dev(
    reset: bool = typer.Option(False, "--reset", help="Delete .fitgraph/ (embedded databases, dev keys) first."),
) -> None:
    """Start every subgraph and the router on embedded defaults with demo data."""
    # Ctrl-C, and SIGTERM from a supervisor, both stop every child: also when the shell started
    # us with SIGINT ignored (a background job), and never by dying with children left behind.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    if reset and STATE_DIR.exists():
        import shutil

        shutil.rmtree(STATE_DIR)
    STATE_DIR.mkdir(exist_ok=True)
    log_dir = STATE_DIR / "logs"
    log_dir.mkdir(exist_ok=True)
    names = _installed_subgraphs()
    children: list[_Child] = []
    try:
        mongodb_url = None
        if any(name in MONGO_BACKED for name in names):
            mongo_port = _free_port()
            mongo_dir = STATE_DIR / "mongo"
            mongo_dir.mkdir(exist_ok=True)
            mongo = _start(
                "secantusdb",
                [_bin("secantusd-py"), "--port", str(mongo_port), "--storage-path", str(mongo_dir.resolve())],
                dict(os.environ),
                log_dir,
            )
            children.append(mongo)
            if not _wait_for_port(mongo_port, timeout=30, process=mongo.process):
                raise RuntimeError("the embedded SecantusDB did not start; see .fitgraph/logs/secantusdb.log")
            mongodb_url = f"mongodb://127.0.0.1:{mongo_port}"
        env = _dev_environment(names, mongodb_url)
        _apply_environment(env)
        typer.echo("FitGraph dev: loading demo data")
        asyncio.run(_load_demo_data(names))
        for name in names:
            children.append(
                _start(name, [_bin("fitgraph"), "subgraph", name, "--port", str(SUBGRAPH_PORTS[name])], env, log_dir)
            )
        for child in children[1 if mongodb_url else 0 :]:
            if not _wait_for_port(SUBGRAPH_PORTS[child.name], timeout=60, process=child.process):
                raise RuntimeError(f"subgraph {child.name} did not start; see .fitgraph/logs/{child.name}.log")
        router_url = None
        supergraph = _compose_supergraph(env)
        if supergraph is not None:
            router = _start(
                "router",
                [_bin("fitgraph"), "router", "--supergraph", str(supergraph), "--config", "router.yaml",
                 "--port", str(ROUTER_PORT)],
                env,
                log_dir,
            )
            children.append(router)
            if not _wait_for_port(ROUTER_PORT, timeout=60, process=router.process):
                raise RuntimeError("the router did not start; see .fitgraph/logs/router.log")
            router_url = f"http://127.0.0.1:{ROUTER_PORT}/graphql"
        typer.echo("")
        typer.echo("FitGraph is running:")
        if router_url:
            typer.echo(f"  router (one endpoint)   {router_url}")
        for name in names:
            typer.echo(f"  {name:<23} http://127.0.0.1:{SUBGRAPH_PORTS[name]}/graphql")
        typer.echo("  demo admin              admin@fitgraph.dev / FitGraph-admin-1")
        typer.echo("  logs                    .fitgraph/logs/")
        typer.echo("Press Ctrl-C to stop.")
        while all(child.process.poll() is None for child in children):
            time.sleep(0.5)
        stopped = [child.name for child in children if child.process.poll() is not None]
        typer.echo(f"stopped unexpectedly: {', '.join(stopped)}; see .fitgraph/logs/", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("\nstopping …")
    except RuntimeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    finally:
        _stop_all(children)
