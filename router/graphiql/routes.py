"""GraphiQL routes: the page, a session check and the bundled static assets.

`GET <path>` serves the page (static: it holds no data). The page signs in with the router's
`login` mutation (by default the first-party `Login` operation of schema/operations, so it is
in the trusted-documents manifest), keeps the access token in sessionStorage and asks
`GET <path>/session` whether the token's verified claims carry the admin role: 200 mounts
GraphiQL, 403 shows "access refused", 401 asks to sign in again. The router itself enforces
the rest: introspection (GraphiQL's docs and explorer) is open to admins only when
`introspection: false`, and every field keeps its @authenticated/@requiresScopes rules.

The page's Content-Security-Policy allows scripts and connections to this origin only.
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from auth.errors import InvalidToken
from router.security.authn import Authenticator

__all__ = ["STATIC_DIRECTORY", "GraphiQLConfig", "default_login_mutation", "graphiql_routes"]

STATIC_DIRECTORY = Path(__file__).resolve().parent / "static"
_PAGE = Template((Path(__file__).resolve().parent / "page.html").read_text(encoding="utf-8"))
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


class GraphiQLConfig(BaseModel):
    """router.yaml `graphiql:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    enabled: bool = False
    path: str = Field(default="/graphiql", pattern=r"^/[A-Za-z0-9/_.-]*[A-Za-z0-9_.-]$")
    """Where the page is served (assets under <path>/static)."""
    title: str = "FitGraph GraphiQL"
    login_mutation: str | None = None
    """The sign-in mutation (operation name Login, variable $input, returns login.accessToken);
    default: schema/operations' Login."""


def default_login_mutation() -> str:
    from schema.operations.manifest import DEFAULT_DIRECTORY, operation_bodies

    return operation_bodies(sorted(DEFAULT_DIRECTORY.glob("*.graphql")))["Login"]


def graphiql_routes(
    config: GraphiQLConfig, *, authenticator: Authenticator | None, graphql_path: str = "/graphql"
) -> list[BaseRoute]:
    """The page, `<path>/session` and `<path>/static` (empty when disabled)."""
    if not config.enabled:
        return []
    if authenticator is None:
        raise ValueError("graphiql needs authentication configured: it is for admins only")
    verifier = authenticator
    page = _PAGE.substitute(
        title=html.escape(config.title),
        static=html.escape(f"{config.path}/static"),
        endpoint=html.escape(graphql_path),
        session=html.escape(f"{config.path}/session"),
        login_mutation=html.escape(config.login_mutation or default_login_mutation()),
    )
    headers = {
        "content-security-policy": _CSP,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }

    async def serve_page(request: Request) -> Response:
        return HTMLResponse(page, headers=headers)

    async def session(request: Request) -> Response:
        no_store = {"cache-control": "no-store"}
        try:
            claims = await verifier.authenticate(request.headers.get("authorization"))
        except InvalidToken:
            return JSONResponse({"error": "invalid_token"}, 401, headers=no_store)
        if claims is None:
            return JSONResponse({"error": "unauthenticated"}, 401, headers=no_store)
        if not claims.is_admin:
            return JSONResponse({"error": "forbidden", "subject": claims.subject}, 403, headers=no_store)
        return JSONResponse({"subject": claims.subject, "admin": True}, headers=no_store)

    return [
        Route(config.path, serve_page, methods=["GET"]),
        Route(f"{config.path}/session", session, methods=["GET"]),
        Mount(f"{config.path}/static", app=StaticFiles(directory=STATIC_DIRECTORY), name="graphiql-static"),
    ]
