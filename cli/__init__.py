"""The `fitgraph` command: one typer app whose sub-commands live in sibling modules."""

from __future__ import annotations

import importlib

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="fitgraph",
    help="FitGraph: the platform's subgraphs, router and schema tooling.",
    no_args_is_help=True,
    add_completion=False,
)

# Each module registers its commands on `app` when imported; a module that does not exist yet
# (a part of the platform still to come) is simply absent from the command list.
_COMMAND_MODULES = ("cli.dev", "cli.subgraph", "cli.router", "cli.compose", "cli.check", "cli.operations")

for _module in _COMMAND_MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise


def main() -> None:
    app()
