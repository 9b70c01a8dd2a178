"""`fitgraph compose`: supergraph.yaml → schema/subgraphs/<name>.graphql + schema/supergraph.graphql."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from cli import app
from schema.artifacts import compose_config, stale_artifacts, write_artifacts
from schema.config import ConfigError, load_config
from schema.sources import SourceError

__all__ = ["compose_command"]


@app.command("compose")
def compose_command(
    config: Path = typer.Option(
        Path("supergraph.yaml"), "--config", "-c", help="rover-style supergraph config"
    ),
    output: Path = typer.Option(
        Path("schema/supergraph.graphql"), "--output", "-o", help='supergraph SDL file ("-" for stdout)'
    ),
    subgraphs_dir: Path | None = typer.Option(
        None, "--subgraphs-dir", help="where each subgraph's SDL is written (default: <output dir>/subgraphs)"
    ),
    check: bool = typer.Option(False, "--check", help="write nothing; exit 1 when the artifacts are stale"),
) -> None:
    """Compose the subgraphs of supergraph.yaml into a Federation 2 supergraph (join v0.3)."""
    try:
        composed = asyncio.run(compose_config(load_config(config)))
    except (ConfigError, SourceError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    for hint in composed.result.hints:
        typer.echo(f"hint: {hint}", err=True)
    if not composed.result.ok:
        typer.echo(
            f"composition failed with {len(composed.result.errors)} error(s); nothing written:", err=True
        )
        for failure in composed.result.errors:
            typer.echo(f"  {failure}", err=True)
        raise typer.Exit(1)
    if str(output) == "-":
        typer.echo(composed.result.unwrap(), nl=False)
        return
    directory = subgraphs_dir if subgraphs_dir is not None else output.parent / "subgraphs"
    if check:
        stale = stale_artifacts(composed, output, directory)
        for path in stale:
            typer.echo(f"stale: {path}", err=True)
        if stale:
            typer.echo("run `fitgraph compose` to regenerate the schema artifacts", err=True)
            raise typer.Exit(1)
        typer.echo("schema artifacts are up to date")
        return
    for path in write_artifacts(composed, output, directory):
        typer.echo(f"wrote {path}")
