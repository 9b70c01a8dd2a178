"""Compose from `supergraph.yaml` and keep the committed artifacts (schema/subgraphs/<name>.graphql
and schema/supergraph.graphql) in step; a failed composition never touches them."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from schema.compose import CompositionResult, SubgraphInput, compose
from schema.config import SupergraphConfig
from schema.sources import load_subgraphs

__all__ = ["Composed", "compose_config", "stale_artifacts", "write_artifacts"]


@dataclass
class Composed:
    result: CompositionResult
    subgraphs: list[SubgraphInput]


async def compose_config(config: SupergraphConfig) -> Composed:
    subgraphs = await load_subgraphs(config)
    return Composed(compose(subgraphs), subgraphs)


def _normal(text: str) -> str:
    return text.rstrip("\n") + "\n"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; these are ordinary committed files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _expected(composed: Composed, output: Path, subgraph_dir: Path) -> dict[Path, str]:
    files = {subgraph_dir / f"{s.name}.graphql": _normal(s.sdl) for s in composed.subgraphs}
    files[output] = _normal(composed.result.unwrap())
    return files


def _orphans(composed: Composed, subgraph_dir: Path) -> list[Path]:
    """SDL files of subgraphs no longer in supergraph.yaml."""
    names = {f"{s.name}.graphql" for s in composed.subgraphs}
    if not subgraph_dir.is_dir():
        return []
    return sorted(p for p in subgraph_dir.glob("*.graphql") if p.name not in names)


def write_artifacts(composed: Composed, output: Path, subgraph_dir: Path) -> list[Path]:
    """Write every artifact (only when composition succeeded: `unwrap` raises otherwise) and
    remove the SDL files of subgraphs that left the config."""
    files = _expected(composed, output, subgraph_dir)
    for path, text in files.items():
        _write_atomically(path, text)
    for orphan in _orphans(composed, subgraph_dir):
        orphan.unlink()
    return list(files)


def stale_artifacts(composed: Composed, output: Path, subgraph_dir: Path) -> list[Path]:
    """Artifacts whose committed content differs from a fresh composition (or are missing)."""
    stale: list[Path] = []
    for path, text in _expected(composed, output, subgraph_dir).items():
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            stale.append(path)
    return stale + _orphans(composed, subgraph_dir)
