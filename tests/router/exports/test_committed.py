"""The committed export definitions (schema/exports) under the committed supergraph's
authorization, as the router enforces it now that export pages run through the pipeline:
a BI analyst may export their own workouts (`workouts` accepts workouts:read or bi:read), but
the all-accounts export needs admin:users as well (`Query.users @requiresScopes`) and is
refused with 403 before any subgraph is called."""

from __future__ import annotations

from pathlib import Path

import httpx

from router.app import create_app
from router.config import parse_config
from router.supergraph import load_supergraph
from tests.router.caching.support import AUTH, bearer
from tests.support.servers import running_server

REPO_ROOT = Path(__file__).resolve().parents[3]
SUPERGRAPH = (REPO_ROOT / "schema" / "supergraph.graphql").read_text(encoding="utf-8")


def _app() -> object:
    assert AUTH.hs256_secret is not None
    auth = AUTH.model_dump(mode="python") | {"hs256_secret": AUTH.hs256_secret.get_secret_value()}
    # Every subgraph on a closed port: a page that gets past authorization fails with 502.
    closed = {name: {"url": "http://127.0.0.1:1/graphql"} for name in load_supergraph(SUPERGRAPH).graphs}
    settings = parse_config(
        {
            "auth": auth,
            "subgraphs": {"overrides": closed, "timeout": 2},
            "exports": {"enabled": True, "directory": str(REPO_ROOT / "schema" / "exports")},
        }
    )
    return create_app(settings, SUPERGRAPH)


async def test_committed_exports_meet_the_supergraph_authorization() -> None:
    async with running_server(_app()) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        users = await client.get("/exports/users.csv", headers=bearer("analyst", "bi"))
        assert users.status_code == 403
        assert {error["extensions"]["code"] for error in users.json()["errors"]} == {"FORBIDDEN"}
        admin_bi = bearer("analyst", "bi", scopes=["bi:read", "admin:users"])
        past_authorization = await client.get("/exports/users.csv", headers=admin_bi)
        own = await client.get("/exports/my-workouts.csv", headers=bearer("analyst", "bi"))
    # Authorized: the operation reached the (closed) subgraphs.
    for response in (past_authorization, own):
        assert response.status_code == 502
        assert response.json()["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
