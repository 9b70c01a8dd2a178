"""`fitgraph subgraph NAME`: serve any subgraph package's create_app(Settings()) with uvicorn."""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
import uvicorn

from cli import app

__all__ = ["subgraph"]


def _load(name: str) -> tuple[Any, Any]:
    if not name.isidentifier():
        raise typer.BadParameter(f"not a subgraph name: {name!r}", param_hint="NAME")
    try:
        app_module = importlib.import_module(f"subgraphs.{name}.app")
        settings_module = importlib.import_module(f"subgraphs.{name}.settings")
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith(f"subgraphs.{name}"):
            raise typer.BadParameter(f"no subgraph named {name!r}", param_hint="NAME") from error
        raise
    return app_module.create_app, settings_module.Settings


@app.command()
def subgraph(
    name: Annotated[str, typer.Argument(help="Subgraph package under subgraphs/ (users, training, …)")],
    host: Annotated[str | None, typer.Option(help="Bind address (default: the subgraph's settings)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: the subgraph's settings)")] = None,
) -> None:
    """Run one subgraph (settings come from its FITGRAPH_<NAME>_* environment variables)."""
    create_app, settings_class = _load(name)
    settings = settings_class()
    updates = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
    if updates:
        settings = settings.model_copy(update=updates)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )
