"""The users subgraph app: accounts, sessions, and the JWKS other services verify with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auth.keys import KeyRing
from auth.passwords import PasswordHasher
from auth.tokens import TokenIssuer
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.context import make_context_getter
from subgraphs.common.identity import VerifierAuthenticator, authenticator_for, load_or_create_keyring
from subgraphs.common.kv import create_kv
from subgraphs.users.db import Databases
from subgraphs.users.loaders import make_loaders
from subgraphs.users.reset import LoggingResetSender, ResetSender
from subgraphs.users.revocation import Revocations
from subgraphs.users.schema import create_schema
from subgraphs.users.service import UsersService
from subgraphs.users.settings import Settings
from subgraphs.users.store import UserStore
from subgraphs.users.throttle import LoginThrottle, RequestLimiter, ThrottlePolicy

__all__ = ["create_app"]

# Public keys may be cached by verifiers; rotation adds the new key well before it signs.
_JWKS_CACHE_SECONDS = 300


def create_app(
    settings: Settings | None = None,
    *,
    keyring: KeyRing | None = None,
    reset_sender: ResetSender | None = None,
    password_hasher: PasswordHasher | None = None,
) -> FastAPI:
    settings = settings or Settings()
    keyring = keyring or load_or_create_keyring(settings.jwt_keys_dir)
    databases = Databases(
        settings.database_url,
        settings.region_database_urls,
        pool_size=settings.database_pool_size,
        echo=settings.database_echo,
    )
    store = UserStore(databases)
    kv = create_kv(settings.redis_url, prefix=f"{settings.redis_prefix}users:")
    # A revoked session must stay revoked as long as any access token of it can be valid.
    revocations = Revocations(kv, session_ttl_seconds=settings.access_token_ttl_seconds + settings.jwt_leeway_seconds)
    service = UsersService(
        store=store,
        issuer=TokenIssuer(
            keyring,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        ),
        hasher=password_hasher or PasswordHasher(),
        throttle=LoginThrottle(
            kv,
            ThrottlePolicy(
                account_threshold=settings.login_failures_per_account,
                address_threshold=settings.login_failures_per_address,
                window_seconds=settings.login_failure_window_seconds,
                base_seconds=settings.login_backoff_base_seconds,
                max_seconds=settings.login_backoff_max_seconds,
            ),
        ),
        reset_limiter=RequestLimiter(
            kv, name="reset", limit=settings.password_reset_requests_per_hour, window_seconds=3600
        ),
        revocations=revocations,
        reset_sender=reset_sender or LoggingResetSender(),
        refresh_ttl_seconds=settings.refresh_token_ttl_seconds,
        refresh_family_max_age_seconds=settings.refresh_family_max_age_seconds,
        reset_ttl_seconds=settings.password_reset_ttl_seconds,
    )
    authenticator = authenticator_for(settings, keyring=keyring)
    assert isinstance(authenticator, VerifierAuthenticator)

    async def jwks(request: Request) -> Response:
        return JSONResponse(
            keyring.jwks(), headers={"cache-control": f"public, max-age={_JWKS_CACHE_SECONDS}"}
        )

    async def health() -> dict[str, object]:
        await store.ping()
        return {"database": "ok"}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await databases.migrate()
        try:
            yield
        finally:
            await databases.dispose()
            await kv.close()

    app = create_subgraph_app(
        schema=create_schema(mask_errors=settings.mask_errors),
        context_getter=make_context_getter(
            authenticator=authenticator,
            loaders_factory=lambda: make_loaders(store),
            services=service,
            revocation_check=revocations.check,
        ),
        settings=settings,
        name="users",
        lifespan=lifespan,
        extra_routes=[Route("/.well-known/jwks.json", jwks, methods=["GET"])],
        health_check=health,
    )
    app.state.service = service
    app.state.databases = databases
    app.state.keyring = keyring
    return app
