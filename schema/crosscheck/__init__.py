"""Cross-check composition against other implementations run under Node: the Guild's
`@theguild/federation-composition` and `@graphql-tools/federation` (Hive Gateway's supergraph
loader; MIT) and Apollo's own composition, supergraph loader and query planner (Elastic-2.0,
downloaded for tests only). Used by tests and during development,
never at runtime; the npm packages live in a git-ignored folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schema.compose.compose import SubgraphInput

__all__ = [
    "NODE_PACKAGES",
    "ApolloComposition",
    "ApolloLoad",
    "HiveLoad",
    "NodeComposition",
    "apollo_compose_many",
    "apollo_load_many",
    "hive_load_many",
    "ensure_node_composer",
    "node_compose",
    "node_compose_many",
]

NODE_PACKAGES = (
    "@theguild/federation-composition@0.27",
    "@apollo/composition@2.14",
    "@apollo/federation-internals@2.14",
    "@apollo/query-planner@2.14",
    "@graphql-tools/federation@3",
    "graphql@16",
)
_RUNNER = Path(__file__).with_name("compose.mjs")
_APOLLO_RUNNER = Path(__file__).with_name("apollo.mjs")
_HIVE_RUNNER = Path(__file__).with_name("hive.mjs")


@dataclass(frozen=True)
class NodeComposition:
    supergraph_sdl: str | None
    public_sdl: str | None
    errors: list[dict[str, str | None]]


def ensure_node_composer(prefix: Path) -> Path:
    """Install the npm packages under `prefix` (git-ignored) if absent; returns node_modules."""
    prefix = prefix.resolve()
    modules = prefix / "node_modules"
    wanted = (
        "@theguild/federation-composition",
        "@apollo/composition",
        "@apollo/query-planner",
        "@graphql-tools/federation",
    )
    if not all((modules / name / "package.json").exists() for name in wanted):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed: the Node cross-check needs Node.js 18+ and npm")
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), *NODE_PACKAGES],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return modules


def _run_node(runner: Path, payload: object, modules: Path) -> Any:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed: the cross-check needs Node.js 18+")
    completed = subprocess.run(
        [node, str(runner)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "FITGRAPH_NODE_MODULES": str(modules.resolve())},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the Node composer failed: {completed.stderr.strip()}")
    return json.loads(completed.stdout)


def _subgraphs_json(subgraphs: list[SubgraphInput]) -> list[dict[str, str]]:
    return [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs]


def node_compose_many(batch: dict[str, list[SubgraphInput]], modules: Path) -> dict[str, NodeComposition]:
    """Compose several subgraph sets with the Guild's library in one Node process."""
    results = _run_node(_RUNNER, {key: _subgraphs_json(s) for key, s in batch.items()}, modules)
    return {
        key: NodeComposition(value["supergraphSdl"], value["publicSdl"], value["errors"])
        for key, value in results.items()
    }


def node_compose(subgraphs: list[SubgraphInput], modules: Path) -> NodeComposition:
    return node_compose_many({"only": subgraphs}, modules)["only"]


@dataclass(frozen=True)
class ApolloComposition:
    supergraph_sdl: str | None
    errors: list[dict[str, str | None]]
    hints: list[str | None]


@dataclass(frozen=True)
class ApolloLoad:
    api_sdl: str | None
    plans: list[str]
    error: str | None


def apollo_compose_many(batch: dict[str, list[SubgraphInput]], modules: Path) -> dict[str, ApolloComposition]:
    """Compose with @apollo/composition (the composition rover and GraphOS run)."""
    jobs = {key: {"subgraphs": _subgraphs_json(s)} for key, s in batch.items()}
    return {
        key: ApolloComposition(value["supergraphSdl"], value["errors"], value["hints"])
        for key, value in _run_node(_APOLLO_RUNNER, jobs, modules).items()
    }


def apollo_load_many(batch: dict[str, tuple[str, list[str]]], modules: Path) -> dict[str, ApolloLoad]:
    """Load supergraphs as Apollo Gateway does and plan the given queries on each."""
    jobs = {key: {"supergraph": sdl, "queries": queries} for key, (sdl, queries) in batch.items()}
    return {
        key: ApolloLoad(value["apiSdl"], value["plans"], value["error"])
        for key, value in _run_node(_APOLLO_RUNNER, jobs, modules).items()
    }


@dataclass(frozen=True)
class HiveLoad:
    api_sdl: str | None
    error: str | None


def hive_load_many(batch: dict[str, str], modules: Path) -> dict[str, HiveLoad]:
    """Load supergraphs as Hive Gateway does; returns the schema it would serve."""
    return {
        key: HiveLoad(value["apiSdl"], value["error"])
        for key, value in _run_node(_HIVE_RUNNER, batch, modules).items()
    }
