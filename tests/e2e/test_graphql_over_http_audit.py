"""The GraphQL-over-HTTP specification's own audit suite against the router.

graphql-http (npm, the spec's reference implementation) ships `serverAudits`: one check per
MUST / SHOULD / MAY of https://graphql.github.io/graphql-over-http/draft/ (media types §5,
GET and POST requests §6, status codes and bodies §7). They run under Node against the router
served on loopback in front of real subgraphs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx

from router.app import create_app
from router.config import parse_config
from tests.router.http.fixtures import Subgraphs, subgraphs
from tests.support.node import npm_ci, run_node
from tests.support.servers import running_server

__all__ = ["subgraphs"]  # the fixtures this module uses

AUDIT_DIR = Path(__file__).resolve().parent / "http_audit"

# Apollo Router's CSRF prevention (on by default) refuses GETs that carry no preflight-forcing
# header; these three audits are MAYs that send exactly such GETs.
_REFUSED_BY_CSRF = {"5A70", "D6D5", "6A70"}


async def _audit(router: Any) -> list[dict[str, Any]]:
    await npm_ci(AUDIT_DIR, installed="graphql-http")
    async with running_server(router) as base_url:
        env = {**os.environ, "GRAPHQL_URL": f"{base_url}/graphql"}
        out = await run_node(AUDIT_DIR / "audit.mjs", env=env, deadline=120)
    results: list[dict[str, Any]] = json.loads(out)
    assert len(results) >= 50, results  # the whole suite ran
    return results


def _not_ok(results: list[dict[str, Any]]) -> dict[str, str]:
    return {r["id"]: f"{r['status']}: {r['name']} — {r['reason']}" for r in results if r["status"] != "ok"}


async def test_every_audit_passes_with_the_spec_transport(subgraphs: Subgraphs) -> None:
    config = parse_config({"csrf": {"enabled": False}, "introspection": True})
    results = await _audit(create_app(config, subgraphs.sdl))
    assert _not_ok(results) == {}


async def test_csrf_prevention_refuses_only_the_preflightless_gets(subgraphs: Subgraphs) -> None:
    config = parse_config({"introspection": True})
    results = await _audit(create_app(config, subgraphs.sdl))
    assert set(_not_ok(results)) == _REFUSED_BY_CSRF
    # What those audits send is refused with the CSRF error; the same GET with a preflight header runs.
    router = create_app(config, subgraphs.sdl)
    async with running_server(router) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        refused = await http.get("/graphql", params={"query": "{ __typename }"})
        allowed = await http.get(
            "/graphql", params={"query": "{ __typename }"}, headers={"apollo-require-preflight": "true"}
        )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_ERROR"
    assert allowed.status_code == 200 and allowed.json() == {"data": {"__typename": "Query"}}
