"""A real router for the caching/operations tests: transport + the standard pipeline with
HS256 bearer authentication, plus the stages under test plugged in where the lead wires them
(trusted `resolve` before APQ, `enforce` after authentication, the response cache in its slot).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from router.caching.chain import chain_stages
from router.config import RouterConfig, parse_config
from router.engine import Engine
from router.pipeline import EngineHolder, Pipeline, Stage, StageSlots, build_pipeline
from router.security.config import AuthConfig
from router.stages.authn import AuthnStage
from router.stages.persisted import ApqStore
from router.stages.transport import GraphQLTransport
from tests.support.servers import running_server

__all__ = ["AUTH", "JSON_HEADERS", "bearer", "router_app", "serving"]

_SECRET = b"caching-tests-secret-0123456789-abcdef"
_ISSUER = "https://auth.test.fitgraph"
_AUDIENCE = "fitgraph-router"
AUTH = AuthConfig(issuer=_ISSUER, audience=_AUDIENCE, algorithms=("HS256",), hs256_secret=_SECRET.decode())
_TOKENS = TokenIssuer(KeyRing(), issuer=_ISSUER, audience=_AUDIENCE, hs256_secret=_SECRET)
JSON_HEADERS = {"content-type": "application/json"}


def bearer(subject: str, *roles: str, scopes: Sequence[str] | None = None) -> dict[str, str]:
    token = _TOKENS.issue(subject, roles=roles or ("user",), scopes=scopes, symmetric=True)
    return {**JSON_HEADERS, "authorization": f"Bearer {token}"}


def router_app(
    sdl: str,
    config: dict[str, Any] | None = None,
    *,
    before_apq: Stage | None = None,
    after_authn: Stage | None = None,
    response_cache: Stage | None = None,
    routes: Sequence[BaseRoute] = (),
    engine: Engine | None = None,
) -> Starlette:
    settings: RouterConfig = parse_config(config or {})
    holder = EngineHolder(engine or Engine(sdl), sdl)
    authentication: Stage = AuthnStage(AUTH)
    if after_authn is not None:
        authentication = chain_stages(authentication, after_authn)
    standard = build_pipeline(
        settings,
        apq_store=ApqStore(local_size=64),
        slots=StageSlots(authentication=authentication, response_cache=response_cache),
    )
    stages = list(standard.stages)
    if before_apq is not None:
        # Right before the APQ stage, as the lead's `documents` slot would put it.
        position = next(i for i, stage in enumerate(stages) if type(stage).__name__ == "PersistedQueryStage")
        stages.insert(position, before_apq)
    transport = GraphQLTransport(settings, Pipeline(stages), holder)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await holder.engine.aclose()

    app = Starlette(
        routes=[Route(settings.server.graphql_path, transport.__call__, methods=["GET", "POST"]), *routes],
        lifespan=lifespan,
    )
    app.state.engine_holder = holder
    return app


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        yield client
