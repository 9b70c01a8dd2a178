"""The app factory every subgraph uses: /graphql, /health, /metrics, JSON logs, request ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from subgraphs.common.http import SubgraphGraphQLRouter
from subgraphs.common.logs import configure_logging
from subgraphs.common.metrics import AppMetrics, RequestMiddleware
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.settings import SubgraphSettings

__all__ = ["create_subgraph_app"]

_log = structlog.get_logger("fitgraph.app")

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


async def _health_ok() -> dict[str, Any]:
    return {}


def _name_from(settings: SubgraphSettings) -> str:
    prefix = str(settings.model_config.get("env_prefix") or "")
    parts = [part for part in prefix.lower().split("_") if part and part != "fitgraph"]
    return parts[-1] if parts else "subgraph"


def create_subgraph_app(
    *,
    schema: SubgraphSchema,
    context_getter: Callable[..., Awaitable[Any]],
    settings: SubgraphSettings,
    name: str | None = None,
    lifespan: Lifespan | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    health_check: HealthCheck = _health_ok,
) -> FastAPI:
    """A FastAPI app serving ``schema`` at POST/GET /graphql (GraphQL over HTTP).

    ``name`` labels metrics and /health (default: from the settings' env prefix, e.g.
    FITGRAPH_TRAINING_ -> "training"); ``health_check`` may add details (or raise to report
    503); ``lifespan`` opens and closes the subgraph's stores.
    """
    name = name or _name_from(settings)
    configure_logging(settings.log_level)
    metrics = AppMetrics(name)

    async def health(request: Request) -> Response:
        try:
            details = await health_check()
        except Exception as error:  # a failing dependency is reported, not raised
            _log.warning("health_check_failed", service=name, error=repr(error))
            return JSONResponse(
                {"status": "unavailable", "service": name, "error": type(error).__name__}, 503
            )
        return JSONResponse({"status": "ok", "service": name, **details})

    app = FastAPI(
        title=f"FitGraph {name} subgraph",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
            *extra_routes,
        ],
    )
    graphql = SubgraphGraphQLRouter(schema, context_getter=context_getter, multipart_uploads_enabled=False)
    app.include_router(graphql, prefix="/graphql")
    known = ["/graphql", "/health", "/metrics", *(getattr(r, "path", "") for r in extra_routes)]
    app.add_middleware(RequestMiddleware, metrics=metrics, known_paths=known)
    app.state.metrics = metrics
    return app
