"""The router's ASGI app (Starlette: the router needs routing and requests, not FastAPI's
validation layer, and every microsecond per request counts).

Routes: GET/POST on the GraphQL path (router.yaml `server.graphql_path`, default /graphql),
GET /health (200 once the supergraph is loaded: it is loaded before the app exists),
GET /ready (supergraph loaded and, when configured, Redis reachable) and GET /metrics
(Prometheus text format).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from router.config import ConfigError, RouterConfig
from router.observability.engine_caches import observing_factory
from router.observability.health import ReadinessProbe
from router.observability.http import TracingMiddleware
from router.observability.pipeline import instrument_pipeline
from router.observability.redaction import install_log_redaction
from router.observability.subgraphs import InstrumentedSubgraphClient
from router.observability.tracing import Telemetry
from router.pipeline import EngineHolder, EngineLike, StageSlots, build_pipeline
from router.reload import SupergraphWatcher, supergraph_source
from router.stages.persisted import ApqStore
from router.stages.transport import GraphQLTransport

__all__ = ["EngineFactory", "create_app", "default_engine_factory"]

_log = structlog.get_logger("router.app")

# (supergraph SDL, router config) -> Engine. Called at start, and in a worker thread on each hot
# reload: it must not need the running event loop.
EngineFactory = Callable[[str, RouterConfig], EngineLike]


def default_engine_factory(supergraph_sdl: str, config: RouterConfig, *, client: Any = None) -> EngineLike:
    """`client`: a shared (e.g. instrumented) SubgraphClient the caller owns and closes."""
    from router.engine import Engine

    if config.subgraphs.overrides:
        from router.supergraph import load_supergraph

        # Checked before the Engine exists, so a refusal leaves no open client behind.
        _check_overrides(load_supergraph(supergraph_sdl).graphs, config)
    overrides = config.subgraphs.overrides
    urls = {name: override.url for name, override in overrides.items() if override.url}
    timeouts = {name: override.timeout for name, override in overrides.items() if override.timeout}
    options: dict[str, Any] = {}
    if timeouts:
        # Never ignore a configured timeout silently: refuse it if the Engine cannot apply it.
        if "subgraph_timeouts" not in inspect.signature(Engine).parameters:
            name = next(iter(timeouts))
            raise ConfigError(f"subgraphs.overrides.{name}.timeout: per-subgraph timeouts are not supported yet")
        options["subgraph_timeouts"] = timeouts
    if client is not None:
        options["client"] = client
    return Engine(supergraph_sdl, subgraph_urls=urls or None, subgraph_timeout=config.subgraphs.timeout, **options)


def _check_overrides(graphs: Mapping[str, Any], config: RouterConfig) -> None:
    unknown = sorted(set(config.subgraphs.overrides) - set(graphs))
    if unknown:
        known = ", ".join(sorted(graphs)) or "none"
        raise ConfigError(
            f"subgraphs.overrides.{unknown[0]}: no subgraph of that name in the supergraph (known: {known})"
        )


def _apq_store(config: RouterConfig) -> ApqStore | None:
    if not config.apq.enabled:
        return None
    redis: Any = None
    if config.apq.redis_url:
        import redis.asyncio as aioredis

        # Connects lazily; short timeouts so a sick Redis costs a miss, not a hung request.
        redis = aioredis.from_url(config.apq.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return ApqStore(
        local_size=config.apq.local_cache_size, redis=redis, prefix=config.apq.redis_prefix, ttl=config.apq.ttl
    )


class _Extensions:
    """The optional parts router.yaml switches on: edge security stages (issue 4), trusted
    documents and the response cache (issue 5), GraphiQL and BI export routes. Holds what
    must be closed at shutdown."""

    def __init__(self, config: RouterConfig, base_dir: Path | None) -> None:
        from router.caching.chain import chain_stages
        from router.security.authn import Authenticator
        from router.stages.authn import AuthnStage
        from router.stages.authz import AuthzStage
        from router.stages.ratelimit import RateLimitStage
        from router.stages.response_cache import ResponseCacheStage
        from router.stages.trusted import TrustedDocuments

        self.authenticator = Authenticator(config.auth) if config.auth is not None else None
        self.trusted = TrustedDocuments(config.trusted_documents, base_dir=base_dir)
        rate_limit = config.rate_limit
        self.traffic = RateLimitStage(rate_limit) if rate_limit is not None and rate_limit.enabled else None
        self.response_cache = (
            ResponseCacheStage(config.response_cache) if config.response_cache.enabled else None
        )
        authentication: Any = AuthnStage(self.authenticator) if self.authenticator is not None else None
        if authentication is not None:
            authentication = chain_stages(authentication, self.trusted.enforce)
        else:
            authentication = self.trusted.enforce
        self.slots = StageSlots(
            documents=self.trusted.resolve,
            authentication=authentication,
            traffic=self.traffic,
            authorization=AuthzStage(config.authorization) if config.authorization.enabled else None,
            response_cache=self.response_cache,
        )
        self.key_store: Any = None
        self._config = config
        self._base_dir = base_dir

    def routes(self, holder: EngineHolder, slots: StageSlots | None = None, telemetry: Any = None) -> list[Any]:
        """`slots`: the stages the /graphql pipeline runs with; export pages run through the
        same stages (router/exports/pipeline.py)."""
        from router.graphiql import graphiql_routes

        config = self._config
        routes: list[Any] = []
        if config.graphiql.enabled:
            routes += graphiql_routes(
                config.graphiql, authenticator=self.authenticator, graphql_path=config.server.graphql_path
            )
        if config.exports.enabled:
            # Imported only when on: the Parquet writer brings pyarrow and numpy (~50 MB of RSS).
            from router.exports.keys import build_key_store
            from router.exports.pipeline import export_pipeline
            from router.exports.routes import exports_routes

            self.key_store = build_key_store(config.exports)
            routes += exports_routes(
                config.exports,
                holder,
                export_pipeline(config, slots or self.slots, telemetry),
                authenticator=self.authenticator,
                key_store=self.key_store,
                base_dir=self._base_dir,
            )
        return routes

    async def aclose(self) -> None:
        for resource in (self.traffic, self.response_cache, self.trusted, self.key_store):
            close = getattr(resource, "aclose", None)
            if close is not None:
                await close()


def create_app(
    config: RouterConfig,
    supergraph_sdl: str,
    *,
    supergraph_path: str | Path | None = None,
    engine_factory: EngineFactory | None = None,
    slots: StageSlots | None = None,
    base_dir: str | Path | None = None,
    telemetry: Telemetry | None = None,
) -> Starlette:
    """Build the router app; the supergraph is loaded (and checked) here, before serving.

    `slots` plugs in the stages other parts provide (authentication, traffic, authorization,
    response cache) at their DESIGN §2 positions. `telemetry` replaces the one router.yaml's
    `telemetry:` section describes (tests pass one with an in-memory span exporter)."""
    telemetry = telemetry or Telemetry(config.telemetry)
    # One instrumented pool shared by every engine (hot reloads included); closed at shutdown.
    subgraph_client = (
        InstrumentedSubgraphClient(
            telemetry, retry=config.subgraphs.retry, circuit_breaker=config.subgraphs.circuit_breaker
        )
        if engine_factory is None
        else None
    )
    factory = observing_factory(
        engine_factory or functools.partial(default_engine_factory, client=subgraph_client)
    )
    holder = EngineHolder(factory(supergraph_sdl, config), supergraph_sdl)
    apq_store = _apq_store(config)
    # Relative paths in router.yaml (manifests, export definitions) are relative to its folder.
    extensions = _Extensions(config, Path(base_dir) if base_dir is not None else None)
    if slots is None:
        slots = extensions.slots
    pipeline = instrument_pipeline(build_pipeline(config, apq_store=apq_store, slots=slots), telemetry)
    transport = GraphQLTransport(config, pipeline, holder)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "UP"})

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(REGISTRY), headers={"content-type": CONTENT_TYPE_LATEST})

    readiness = ReadinessProbe(config)

    async def ready(request: Request) -> Response:
        # The supergraph is loaded before the app exists; what remains is every configured Redis.
        problems = await readiness.problems()
        if problems:
            return JSONResponse({"status": "NOT_READY", "reason": "; ".join(problems)}, 503)
        return JSONResponse({"status": "READY"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watcher: SupergraphWatcher | None = None
        install_log_redaction()
        if config.supergraph.poll_interval > 0:
            # Hot reload (issue 6): the file or URL the supergraph came from, polled.
            source = supergraph_source(config.supergraph, path=supergraph_path)
            if source is not None:
                watcher = SupergraphWatcher(holder, source, config, factory)
                watcher.start()
        app.state.supergraph_watcher = watcher
        try:
            yield
        finally:
            if watcher is not None:
                await watcher.aclose()
            await holder.engine.aclose()
            if subgraph_client is not None:
                await subgraph_client.aclose()
            # Flushes the spans still queued for OTLP export (blocking: off the event loop).
            await asyncio.to_thread(telemetry.shutdown)
            await readiness.aclose()
            if apq_store is not None:
                await apq_store.aclose()
            await extensions.aclose()

    app = Starlette(
        routes=[
            Route(config.server.graphql_path, transport.__call__, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/ready", ready, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *extensions.routes(holder, slots, telemetry),
        ],
        lifespan=lifespan,
        middleware=[Middleware(TracingMiddleware, telemetry=telemetry)] if telemetry.enabled else None,
    )
    app.state.engine_holder = holder
    app.state.telemetry = telemetry
    app.state.apq_store = apq_store
    return app
