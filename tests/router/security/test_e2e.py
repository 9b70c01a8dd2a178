"""Edge security end to end: HTTP → transport → authn → analysis → rate limit → authz → Engine
→ real subgraphs, with real tokens (JWKS on loopback) and real Redis."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from router.security.config import RateLimitConfig
from tests.router.security.fixtures import Backends, backends, fresh_backends, serve_secured_router

__all__ = ["backends", "fresh_backends"]

JSON = {"content-type": "application/json"}


async def post(
    client: httpx.AsyncClient, query: str, token: str | None = None, **headers: str
) -> httpx.Response:
    sent = {**JSON, **headers}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", content=orjson.dumps({"query": query}), headers=sent)


def error_paths(body: dict[str, Any]) -> list[tuple[list[Any], str]]:
    return [(error["path"], error["extensions"]["code"]) for error in body.get("errors", [])]


async def test_anonymous_gets_public_data_and_one_error_per_removed_field(backends: Backends) -> None:
    async with serve_secured_router(backends) as client:
        response = await post(client, "{ motd me { name } users { name email invoices { amount } } }")
    assert response.status_code == 200
    body = response.json()
    # Removed fields answer null: the response keeps the shape of the operation.
    assert body["data"] == {
        "motd": "Keep moving",
        "me": None,
        "users": [
            {"name": "Ada", "email": None, "invoices": None},
            {"name": "Grace", "email": None, "invoices": None},
        ],
    }
    assert error_paths(body) == [
        (["me"], "UNAUTHENTICATED"),
        (["users", "@", "email"], "UNAUTHENTICATED"),
        (["users", "@", "invoices"], "UNAUTHENTICATED"),
    ]
    # The removed fields never reached a subgraph: billing was not even called.
    assert backends.billing.received == []
    assert all("email" not in request.query for request in backends.accounts.received)


async def test_scopes_and_policy_hook_for_a_signed_in_user(backends: Backends) -> None:
    user = backends.token("u1", ("user",))
    hr = backends.token("u2", ("user",), departments=["hr"])
    admin = backends.token("a1", ("admin",))
    query = "{ users { name email salary invoices { amount } } }"
    async with serve_secured_router(backends) as client:
        as_user = (await post(client, query, user)).json()
        as_hr = (await post(client, query, hr)).json()
        as_admin = (await post(client, query, admin)).json()
    assert as_user["data"]["users"][0] == {
        "name": "Ada",
        "email": "ada@example.test",
        "salary": None,
        "invoices": None,
    }
    assert error_paths(as_user) == [
        (["users", "@", "salary"], "FORBIDDEN"),
        (["users", "@", "invoices"], "FORBIDDEN"),
    ]
    assert as_hr["data"]["users"][1] == {
        "name": "Grace",
        "email": "grace@example.test",
        "salary": 200,
        "invoices": None,
    }
    assert error_paths(as_hr) == [(["users", "@", "invoices"], "FORBIDDEN")]
    assert as_admin["data"]["users"][0] == {
        "name": "Ada",
        "email": "ada@example.test",
        "salary": None,
        "invoices": [{"amount": 42}],
    }
    assert error_paths(as_admin) == [(["users", "@", "salary"], "FORBIDDEN")]
    # The token reached the subgraphs (they verify it themselves).
    assert backends.billing.received[-1].headers["authorization"] == f"Bearer {admin}"


async def test_nothing_authorized_means_data_null_without_calling_subgraphs(backends: Backends) -> None:
    async with serve_secured_router(backends) as client:
        response = await post(client, "{ me { name } }")
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Unauthorized field or type",
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert backends.accounts.received == []


async def test_invalid_token_is_401_before_any_work(backends: Backends) -> None:
    async with serve_secured_router(backends) as client:
        response = await post(client, "{ motd }", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.json()
    assert backends.accounts.received == []


async def test_filtered_and_full_plans_are_not_mixed_up(backends: Backends) -> None:
    # Same query text, different rights: each caller gets its own filtered plan.
    query = "{ users { name email } }"
    async with serve_secured_router(backends) as client:
        anonymous = (await post(client, query)).json()
        signed_in = (await post(client, query, backends.token())).json()
        anonymous_again = (await post(client, query)).json()
    assert anonymous["data"]["users"][0] == {"name": "Ada", "email": None}
    assert signed_in["data"]["users"][0] == {"name": "Ada", "email": "ada@example.test"}
    assert "errors" not in signed_in
    assert anonymous_again == anonymous


async def test_rate_limit_over_http_with_redis(backends: Backends, redis_url: str, redis_prefix: str) -> None:
    config = RateLimitConfig.model_validate(
        {
            "backend": "redis",
            "redis_url": redis_url,
            "redis_prefix": redis_prefix,
            "tiers": {
                "anonymous": {"capacity": 2, "refill_per_second": 0.001},
                "authenticated": {"capacity": 5, "refill_per_second": 0.001},
            },
        }
    )
    async with serve_secured_router(backends, rate_limit=config) as client:
        first = await post(client, "{ motd }")
        second = await post(client, "{ motd }")
        third = await post(client, "{ motd }")
        # Another identity (a signed-in user) has its own, larger bucket.
        user = await post(client, "{ motd }", backends.token("rl-user"))
    assert first.status_code == 200 and first.json() == {"data": {"motd": "Keep moving"}}
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("2", "1")
    assert second.headers["ratelimit-remaining"] == "0"
    assert third.status_code == 429
    assert third.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "data" not in third.json()
    assert int(third.headers["retry-after"]) >= 1
    assert third.headers["ratelimit-remaining"] == "0"
    assert int(third.headers["ratelimit-reset"]) > 0
    assert user.status_code == 200
    assert (user.headers["ratelimit-limit"], user.headers["ratelimit-remaining"]) == ("5", "4")
    assert len(backends.accounts.received) == 3


async def test_a_batch_is_verified_once_and_each_operation_is_filtered(backends: Backends) -> None:
    token = backends.token("batch-user")
    fetches = backends.jwks.fetches
    batch = [{"query": "{ motd }"}, {"query": "{ users { email salary } }"}]
    async with serve_secured_router(backends) as client:
        response = await client.post(
            "/graphql", content=orjson.dumps(batch), headers={**JSON, "authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200
    first, second = response.json()
    assert first == {"data": {"motd": "Keep moving"}}
    assert second["data"]["users"][0] == {"email": "ada@example.test", "salary": None}
    assert error_paths(second) == [(["users", "@", "salary"], "FORBIDDEN")]
    # This router's key cache was filled once, for the whole batch.
    assert backends.jwks.fetches == fetches + 1


async def test_client_identity_headers_grant_nothing(backends: Backends) -> None:
    async with serve_secured_router(backends) as client:
        spoofed = {"x-user-id": "1", "x-user-roles": "admin", "x-user-scopes": "profile:read"}
        response = await post(client, "{ users { name email } }", **spoofed)
    assert response.json()["data"] == {
        "users": [{"name": "Ada", "email": None}, {"name": "Grace", "email": None}]
    }
    assert error_paths(response.json()) == [(["users", "@", "email"], "UNAUTHENTICATED")]
    assert all("x-user-id" not in request.headers for request in backends.accounts.received)


async def test_an_emptied_non_null_root_field_nulls_data(backends: Backends) -> None:
    # `users: [User!]!` loses its only field: the null propagates to `data` (spec §6.4.4).
    async with serve_secured_router(backends) as client:
        response = await post(client, "{ motd users { email } }")
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Unauthorized field or type",
                "path": ["users", "@", "email"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    # Known before execution: no subgraph was called for `motd` either.
    assert backends.accounts.received == []


async def test_redis_down_fail_closed_is_a_clear_503_over_http(backends: Backends) -> None:
    from tests.support.servers import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    closed = RateLimitConfig(
        backend="redis", redis_url=dead, redis_timeout=0.5, on_backend_error="fail_closed"
    )
    opened = RateLimitConfig(backend="redis", redis_url=dead, redis_timeout=0.5, on_backend_error="fail_open")
    async with serve_secured_router(backends, rate_limit=closed) as client:
        refused = await post(client, "{ motd }")
    async with serve_secured_router(backends, rate_limit=opened) as client:
        served = await post(client, "{ motd }")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert served.status_code == 200 and served.json() == {"data": {"motd": "Keep moving"}}
    assert "ratelimit-remaining" not in served.headers
    assert len(backends.accounts.received) == 1
