"""`fitgraph router`: serve the federation router, print query plans, check router.yaml.

    fitgraph router --supergraph PATH [--config router.yaml] [--host H] [--port N]
    fitgraph router --supergraph-url URL [--config router.yaml] [--host H] [--port N]
    fitgraph router plan --supergraph PATH --query QUERY_OR_FILE [--operation-name N]
    fitgraph router config schema
    fitgraph router config validate FILE
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli import app

__all__ = ["router_app"]

router_app = typer.Typer(
    name="router",
    help="The federation router: serve a supergraph, print query plans, check router.yaml.",
    invoke_without_command=True,
    add_completion=False,
)
config_app = typer.Typer(name="config", help="router.yaml: print its JSON schema or validate a file.", no_args_is_help=True)
router_app.add_typer(config_app, name="config")
app.add_typer(router_app, name="router")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _json_line(event: Any, **_: Any) -> str:
    import orjson

    return orjson.dumps(event, default=str).decode()


def _configure_logging(level: str) -> None:
    """JSON lines on stderr (DESIGN §5) for structlog and stdlib loggers (uvicorn, the Engine)."""
    import structlog

    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_json_line),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(serializer=_json_line),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)


def _read_supergraph(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        _fail(f"cannot read supergraph {path}: {error.strerror or error}")
    raise AssertionError("unreachable")


def _with_supergraph_url(settings: Any, url: str) -> Any:
    """router.yaml's settings with --supergraph-url in place of supergraph.path/url."""
    from pydantic import ValidationError

    from router.config import SupergraphConfig

    try:
        source = SupergraphConfig.model_validate(
            {**settings.supergraph.model_dump(), "path": None, "url": url}
        )
    except ValidationError as error:
        reasons = (str(item["msg"]).removeprefix("Value error, ") for item in error.errors())
        _fail("--supergraph-url: " + "; ".join(reasons))
    return settings.model_copy(update={"supergraph": source})


def _fetch_supergraph(url: str, timeout: float) -> str:
    import asyncio

    from router.reload import SupergraphFetchError, fetch_supergraph

    try:
        return asyncio.run(fetch_supergraph(url, fetch_timeout=timeout))
    except SupergraphFetchError as error:
        _fail(f"cannot fetch supergraph {url}: {error}")
    raise AssertionError("unreachable")


@router_app.callback()
def serve(
    ctx: typer.Context,
    supergraph: Annotated[
        str | None, typer.Option("--supergraph", help="Supergraph SDL file (overrides supergraph.path).")
    ] = None,
    supergraph_url: Annotated[
        str | None,
        typer.Option(
            "--supergraph-url", help="http(s) URL of the supergraph SDL (overrides supergraph.url)."
        ),
    ] = None,
    config: Annotated[str | None, typer.Option("--config", help="router.yaml; without it every default applies.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (overrides server.host).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to bind (overrides server.port).")] = None,
) -> None:
    """Serve the router (when no sub-command is given)."""
    if ctx.invoked_subcommand is not None:
        return
    from router.config import ConfigError, load_config

    try:
        settings = load_config(config)
    except ConfigError as error:
        _fail(str(error))
        return
    if supergraph is not None and supergraph_url is not None:
        _fail("--supergraph and --supergraph-url are mutually exclusive")
        return
    if supergraph_url is not None:
        settings = _with_supergraph_url(settings, supergraph_url)
    supergraph_path = supergraph or settings.supergraph.path
    if supergraph is None and supergraph_path is not None and config is not None:
        # A path written in router.yaml is relative to that file, wherever the router starts.
        supergraph_path = str(Path(config).parent / supergraph_path)
    url = settings.supergraph.url if supergraph is None else None
    if url is not None:
        # No file: fetch the supergraph once; the router never starts without one.
        sdl = _fetch_supergraph(url, settings.supergraph.fetch_timeout)
        supergraph_path = None
    elif supergraph_path is not None:
        sdl = _read_supergraph(supergraph_path)
    else:
        _fail(
            "no supergraph: pass --supergraph PATH or --supergraph-url URL,"
            " or set supergraph.path or supergraph.url in router.yaml"
        )
        return

    from router.app import create_app

    try:
        asgi_app = create_app(
            settings,
            sdl,
            supergraph_path=supergraph_path,
            base_dir=Path(config).parent if config is not None else None,
        )
    except ConfigError as error:
        _fail(str(error))
        return
    except Exception as error:  # an invalid or unsupported supergraph: say why, do not serve
        _fail(f"cannot load supergraph {url or supergraph_path}: {error}")
        return

    import uvicorn

    # Only now: a refused start must not reconfigure the process's logging.
    _configure_logging(settings.logging.level)
    from router.gc_policy import apply_serving_gc_policy

    apply_serving_gc_policy()  # after start-up allocations, before serving (see the module)
    uvicorn.run(
        asgi_app,
        host=host or settings.server.host,
        port=settings.server.port if port is None else port,
        loop="uvloop",
        http="httptools",
        workers=None,
        access_log=False,
        log_config=None,  # uvicorn's own lines go through the JSON handler above
        log_level=settings.logging.level.lower(),
        lifespan="on",
    )


def _query_text(query: str) -> str:
    candidate = Path(query)
    try:
        if len(query) < 4096 and "{" not in query and candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    except OSError as error:
        _fail(f"cannot read query file {query}: {error.strerror or error}")
    return query


@router_app.command("plan")
def plan(
    supergraph: Annotated[str, typer.Option("--supergraph", help="Supergraph SDL file.")],
    query: Annotated[str, typer.Option("--query", help="A GraphQL query, or a file holding one.")],
    operation_name: Annotated[str | None, typer.Option("--operation-name", help="Operation to plan.")] = None,
) -> None:
    """Print the query plan of an operation against a supergraph."""
    from graphql import GraphQLError, parse, validate

    from router.planner import QueryPlanner, format_plan
    from router.supergraph import load_supergraph

    try:
        model: Any = load_supergraph(_read_supergraph(supergraph))
    except Exception as error:
        _fail(f"cannot load supergraph {supergraph}: {error}")
        return
    try:
        document = parse(_query_text(query))
    except GraphQLError as error:
        _fail(f"the query does not parse: {error.message}")
        return
    errors = validate(model.api_schema, document)
    if errors:
        _fail("the query is invalid against the API schema:\n  " + "\n  ".join(e.message for e in errors))
        return
    try:
        query_plan = QueryPlanner(model).plan(document, operation_name)
    except Exception as error:
        _fail(f"cannot plan the operation: {error}")
        return
    typer.echo(format_plan(query_plan))


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON schema of router.yaml."""
    from router.config import config_json_schema

    typer.echo(config_json_schema())


@config_app.command("validate")
def config_validate(file: Annotated[str, typer.Argument(help="The router.yaml to check.")]) -> None:
    """Check a router.yaml: exit 1 naming every unknown or invalid key."""
    from router.config import ConfigError, load_config

    try:
        load_config(file)
    except ConfigError as error:
        _fail(str(error))
        return
    typer.echo(f"{file}: valid")
