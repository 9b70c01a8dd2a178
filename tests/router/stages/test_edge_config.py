"""Issue 4 audit: edge rules exercised through the app `fitgraph router` serves, configured the
way router.yaml configures it (sections parsed by router.config, `${env.VAR}` expanded): the
token from a configured cookie, Redis down with fail_open visible on /metrics, and the
`config validate` command on the security sections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cli import app as cli_app
from router.config import parse_config
from tests.router.http.fixtures import JSON_HEADERS, serve_router
from tests.router.security.fixtures import Backends, backends, fresh_backends
from tests.router.security.support import AUDIENCE, ISSUER
from tests.support.servers import free_port

__all__ = ["backends", "fresh_backends"]

QUERY = {"query": "{ users { name email } }"}


def _auth(backends: Backends, **extra: Any) -> dict[str, Any]:
    return {"issuer": ISSUER, "audience": AUDIENCE, "jwks": [{"url": backends.jwks.url}], **extra}


async def test_the_token_may_come_from_the_configured_cookie(backends: Backends) -> None:
    token = backends.token("cookie-user")
    config = parse_config(
        {"auth": _auth(backends, cookie="${env.SESSION_COOKIE:-fg_session}")}, {"SESSION_COOKIE": "fg_at"}
    )
    async with serve_router(backends.sdl, config) as client:
        signed_in = await client.post(
            "/graphql", json=QUERY, headers={**JSON_HEADERS, "cookie": f"theme=dark; fg_at={token}"}
        )
        other_cookie = await client.post(
            "/graphql", json=QUERY, headers={**JSON_HEADERS, "cookie": f"fg_session={token}"}
        )
        bad = await client.post("/graphql", json=QUERY, headers={**JSON_HEADERS, "cookie": "fg_at=garbage"})
    assert signed_in.json()["data"]["users"][0] == {"name": "Ada", "email": "ada@example.test"}
    assert "errors" not in signed_in.json()
    # Subgraphs get the credential as a bearer token (they verify it), never the cookie.
    forwarded = backends.accounts.received[0].headers
    assert forwarded["authorization"] == f"Bearer {token}"
    assert "cookie" not in forwarded
    # Another cookie name means nothing: anonymous, the private field removed.
    assert other_cookie.json()["data"]["users"][0] == {"name": "Ada", "email": None}
    assert other_cookie.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # An invalid token in the cookie is refused like one in the header.
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_without_a_cookie_setting_cookies_carry_no_identity(backends: Backends) -> None:
    token = backends.token("cookie-user")
    async with serve_router(backends.sdl, parse_config({"auth": _auth(backends)})) as client:
        response = await client.post(
            "/graphql", json=QUERY, headers={**JSON_HEADERS, "cookie": f"fg_session={token}"}
        )
    assert response.json()["data"]["users"][0] == {"name": "Ada", "email": None}


def _counter(metrics: str, name: str, outcome: str) -> float:
    prefix = f'{name}{{outcome="{outcome}"}} '
    for line in metrics.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix) :])
    return 0.0


async def test_redis_down_fail_open_serves_and_shows_on_metrics(backends: Backends) -> None:
    name = "fitgraph_router_rate_limit_backend_errors_total"
    config = parse_config(
        {
            "rate_limit": {
                "backend": "redis",
                "redis_url": "${env.RL_REDIS}",
                "redis_timeout": 0.5,
                "on_backend_error": "fail_open",
            }
        },
        {"RL_REDIS": f"redis://127.0.0.1:{free_port()}/0"},
    )
    async with serve_router(backends.sdl, config) as client:
        before = _counter((await client.get("/metrics")).text, name, "allowed")
        served = await client.post("/graphql", json={"query": "{ motd }"}, headers=JSON_HEADERS)
        after = _counter((await client.get("/metrics")).text, name, "allowed")
    assert served.status_code == 200 and served.json() == {"data": {"motd": "Keep moving"}}
    # No bucket was read: no RateLimit-* header pretends otherwise.
    assert "ratelimit-remaining" not in served.headers
    assert after == before + 1


def test_config_validate_expands_env_and_names_unknown_security_keys(tmp_path: Path) -> None:
    runner = CliRunner()
    config = tmp_path / "router.yaml"
    config.write_text(
        "auth:\n"
        "  issuer: https://fitgraph.local\n"
        "  audience: fitgraph\n"
        "  cookie: fg_at\n"
        "  jwks:\n"
        "    - url: ${env.EDGE_JWKS_URL}\n"
        "authorization:\n"
        "  policy_hook: tests.router.security.fixtures:hr_policy\n"
        "rate_limit:\n"
        "  backend: redis\n"
        "  redis_url: ${env.EDGE_RL_URL:-redis://127.0.0.1:6379/0}\n"
        "  cost: estimated\n"
        "  tiers:\n"
        "    anonymous: { capacity: 5, refill_per_second: 1 }\n"
        "    authenticated: { capacity: 50, refill_per_second: 5 }\n"
        "limits:\n"
        "  max_cost: ${env.EDGE_MAX_COST:-500}\n"
    )
    unset = runner.invoke(cli_app, ["router", "config", "validate", str(config)], env={"EDGE_JWKS_URL": None})
    assert unset.exit_code == 1
    assert "auth.jwks[0].url: environment variable EDGE_JWKS_URL is not set" in unset.stderr
    valid = runner.invoke(
        cli_app,
        ["router", "config", "validate", str(config)],
        env={"EDGE_JWKS_URL": "https://users.fitgraph.local/.well-known/jwks.json"},
    )
    assert valid.exit_code == 0, valid.stderr
    assert "valid" in valid.stdout

    config.write_text(config.read_text().replace("refill_per_second: 5", "refil_per_second: 5"))
    typo = runner.invoke(
        cli_app,
        ["router", "config", "validate", str(config)],
        env={"EDGE_JWKS_URL": "https://jwks.local/keys"},
    )
    assert typo.exit_code == 1
    assert "rate_limit.tiers.authenticated.refil_per_second: unknown key" in typo.stderr


def test_config_schema_describes_the_edge_sections() -> None:
    import json

    result = CliRunner().invoke(cli_app, ["router", "config", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"auth", "authorization", "rate_limit", "limits", "include_subgraph_errors"} <= set(
        schema["properties"]
    )
    definitions = schema["$defs"]
    assert {"cookie", "leeway_seconds", "jwks"} <= set(definitions["AuthConfig"]["properties"])
    assert "policy_hook" in definitions["AuthorizationConfig"]["properties"]
    assert definitions["RateLimitConfig"]["properties"]["cost"]["enum"] == ["none", "fields", "estimated"]
    assert {"max_cost", "default_list_size"} <= set(definitions["LimitsConfig"]["properties"])
