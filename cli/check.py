"""`fitgraph check`: classify the API-schema changes of the composed supergraph against a base."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import typer

from cli import app
from schema.artifacts import compose_config
from schema.check import check_supergraphs, load_operations
from schema.config import ConfigError, load_config
from schema.sources import SourceError

__all__ = ["check_command"]

_COMMITTED = Path("schema/supergraph.graphql")


def _git_show(ref: str, path: Path) -> str | None:
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
            cwd=path.parent or ".",
        ).stdout.strip()
        relative = path.resolve().relative_to(Path(top).resolve())
        shown = subprocess.run(
            ["git", "show", f"{ref}:{relative.as_posix()}"],
            capture_output=True,
            text=True,
            check=True,
            cwd=top,
        )
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return shown.stdout


def _base_sdl(base: str | None, committed: Path) -> str:
    if base is not None and Path(base).is_file():
        return Path(base).read_text(encoding="utf-8")
    shown = _git_show(base or "HEAD", committed)
    if shown is not None:
        return shown
    if base is None and committed.is_file():
        return committed.read_text(encoding="utf-8")  # no git history yet: the working copy
    raise typer.BadParameter(
        f"{base or 'HEAD'} is neither a file nor a git ref holding {committed}", param_hint="--base"
    )


@app.command("check")
def check_command(
    base: str | None = typer.Option(
        None, "--base", help="git ref or supergraph file to compare with (default: the committed supergraph)"
    ),
    config: Path = typer.Option(Path("supergraph.yaml"), "--config", "-c", help="supergraph.yaml to compose"),
    supergraph: Path | None = typer.Option(
        None, "--supergraph", help="check this supergraph file instead of composing supergraph.yaml"
    ),
    committed: Path = typer.Option(_COMMITTED, "--committed", help="path of the committed supergraph"),
    operations: Path | None = typer.Option(
        None, "--operations", help="trusted operations (default: schema/operations when present)"
    ),
    json_output: str | None = typer.Option(
        None, "--json", help='also write the JSON report to this path ("-": stdout only)'
    ),
    allow_breaking: bool = typer.Option(False, "--allow-breaking", help="exit 0 even with breaking changes"),
) -> None:
    """Classify every API change as breaking / dangerous / safe; exit 1 on a blocking breaking change."""
    try:
        if supergraph is not None:
            new_sdl = supergraph.read_text(encoding="utf-8")
        else:
            composed = asyncio.run(compose_config(load_config(config)))
            if not composed.result.ok:
                for error in composed.result.errors:
                    typer.echo(f"  {error}", err=True)
                typer.echo("composition failed: nothing to check", err=True)
                raise typer.Exit(2)
            new_sdl = composed.result.unwrap()
    except (ConfigError, SourceError, OSError) as failure:
        typer.echo(f"error: {failure}", err=True)
        raise typer.Exit(2) from failure
    base_sdl = _base_sdl(base, committed)
    directory = operations if operations is not None else Path("schema/operations")
    # Usage-aware only with operations to go by: an empty folder must not excuse every removal.
    try:
        known = (load_operations(directory) if directory.is_dir() else None) or None
    except ValueError as failure:  # an operation that does not parse (JSON errors are ValueErrors too)
        typer.echo(f"error: {failure}", err=True)
        raise typer.Exit(2) from failure
    report = check_supergraphs(base_sdl, new_sdl, known)
    document = json.dumps(report.to_json(), indent=2)
    if json_output == "-":
        typer.echo(document)
    else:
        typer.echo(report.to_table())
        if json_output is not None:
            Path(json_output).write_text(document + "\n", encoding="utf-8")
    if report.blocking and not allow_breaking:
        raise typer.Exit(1)
