"""GET /health (live) and GET /ready (every configured Redis answers), against real Redis."""

from __future__ import annotations

from pathlib import Path

from tests.router.http.fixtures import Subgraphs
from tests.router.observability.support import serve

_TIERS = {
    "anonymous": {"capacity": 10, "refill_per_second": 1},
    "authenticated": {"capacity": 10, "refill_per_second": 1},
}


def _config(redis_url: str, prefix: str, *, rate_limit_url: str) -> dict[str, object]:
    return {
        "apq": {"redis_url": redis_url, "redis_prefix": f"{prefix}apq:"},
        "rate_limit": {
            "backend": "redis",
            "redis_url": rate_limit_url,
            "redis_prefix": f"{prefix}rl:",
            "tiers": _TIERS,
        },
        "response_cache": {
            "enabled": True,
            "backend": "redis",
            "redis_url": redis_url,
            "redis_prefix": f"{prefix}rc:",
        },
    }


async def test_ready_when_every_configured_redis_answers(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str
) -> None:
    async with serve(subgraphs.sdl, _config(redis_url, redis_prefix, rate_limit_url=redis_url)) as client:
        health = await client.get("/health")
        ready = await client.get("/ready")
    assert (health.status_code, health.json()) == (200, {"status": "UP"})
    assert (ready.status_code, ready.json()) == (200, {"status": "READY"})


async def test_not_ready_names_the_component_whose_redis_is_down(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str
) -> None:
    # Port 1 on loopback refuses connections; the password must never appear in the answer.
    down = "redis://:s3cret-pw@127.0.0.1:1/0"
    async with serve(subgraphs.sdl, _config(redis_url, redis_prefix, rate_limit_url=down)) as client:
        ready = await client.get("/ready")
        health = await client.get("/health")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "NOT_READY"
    assert body["reason"].startswith("rate_limit: ")
    assert "apq" not in body["reason"] and "response_cache" not in body["reason"]
    assert "s3cret-pw" not in ready.text
    # Liveness is unaffected: restarting the router would not bring Redis back.
    assert health.status_code == 200


async def test_ready_without_any_redis(subgraphs: Subgraphs) -> None:
    async with serve(subgraphs.sdl) as client:
        ready = await client.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "READY"})


async def test_not_ready_when_the_export_key_store_redis_is_down(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    # API keys of BI exports live in Redis: without it every Power BI refresh would fail with 401.
    exports = {"enabled": True, "directory": str(tmp_path), "key_store": "redis"}
    up = {"exports": {**exports, "redis_url": redis_url, "redis_prefix": f"{redis_prefix}keys:"}}
    async with serve(subgraphs.sdl, up) as client:
        ready = await client.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "READY"})
    down = {"exports": {**exports, "redis_url": "redis://127.0.0.1:1/0"}}
    async with serve(subgraphs.sdl, down) as client:
        ready = await client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["reason"].startswith("exports: ")
