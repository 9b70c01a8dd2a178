"""router.yaml's `auth`, `authorization` and `rate_limit` sections switch the edge stages on
in the app that `fitgraph router` serves (router.app.create_app without explicit slots)."""

from __future__ import annotations

from typing import Any

from router.config import parse_config
from tests.router.http.fixtures import JSON_HEADERS, serve_router
from tests.router.security.fixtures import Backends, backends, fresh_backends
from tests.router.security.support import AUDIENCE, ISSUER

__all__ = ["backends", "fresh_backends"]

QUERY = {"query": "{ motd users { name email } }"}


def _config(backends: Backends, **sections: Any) -> dict[str, Any]:
    return {
        "auth": {"issuer": ISSUER, "audience": AUDIENCE, "jwks": [{"url": backends.jwks.url}]},
        **sections,
    }


async def test_an_invalid_token_is_refused_with_401(backends: Backends) -> None:
    async with serve_router(backends.sdl, parse_config(_config(backends))) as client:
        response = await client.post(
            "/graphql", json=QUERY, headers={**JSON_HEADERS, "authorization": "Bearer not.a.token"}
        )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_scopes_from_the_supergraph_are_enforced(backends: Backends) -> None:
    async with serve_router(backends.sdl, parse_config(_config(backends))) as client:
        anonymous = (await client.post("/graphql", json=QUERY, headers=JSON_HEADERS)).json()
        token = backends.token("u1", roles=("user",))
        signed_in = (
            await client.post("/graphql", json=QUERY, headers={**JSON_HEADERS, "authorization": f"Bearer {token}"})
        ).json()
    assert anonymous["data"]["users"][0] == {"name": "Ada", "email": None}
    assert {error["extensions"]["code"] for error in anonymous["errors"]} == {"UNAUTHENTICATED"}
    assert signed_in["data"]["users"][0] == {"name": "Ada", "email": "ada@example.test"}
    assert "errors" not in signed_in


async def test_rate_limit_section_limits_requests(backends: Backends) -> None:
    config = _config(
        backends,
        rate_limit={
            "backend": "memory",
            "tiers": {
                "anonymous": {"capacity": 2, "refill_per_second": 0.001},
                "authenticated": {"capacity": 100, "refill_per_second": 1},
            },
        },
    )
    async with serve_router(backends.sdl, parse_config(config)) as client:
        statuses = [
            (await client.post("/graphql", json={"query": "{ motd }"}, headers=JSON_HEADERS)).status_code
            for _ in range(3)
        ]
        limited = await client.post("/graphql", json={"query": "{ motd }"}, headers=JSON_HEADERS)
    assert statuses == [200, 200, 429]
    assert limited.headers["retry-after"]
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
