"""Readiness (GET /ready): every Redis router.yaml configures must answer a PING.

The APQ store, the rate limiter and the response cache may each name a Redis; a replica that
cannot reach one of them would serve degraded (APQ misses, fail-open limits, no cache), so the
load balancer should prefer another. The probe keeps one client per distinct URL, with short
timeouts so a sick Redis makes the probe fail fast instead of hang.
"""

from __future__ import annotations

import asyncio
from typing import Any

from router.config import RouterConfig

__all__ = ["ReadinessProbe", "configured_redis_urls"]

_TIMEOUT = 1.0


def configured_redis_urls(config: RouterConfig) -> dict[str, str]:
    """Which configured component uses which Redis URL (component → URL)."""
    urls: dict[str, str] = {}
    if config.apq.enabled and config.apq.redis_url:
        urls["apq"] = config.apq.redis_url
    rate_limit = config.rate_limit
    if (
        rate_limit is not None
        and rate_limit.enabled
        and rate_limit.backend == "redis"
        and rate_limit.redis_url
    ):
        urls["rate_limit"] = rate_limit.redis_url
    cache = config.response_cache
    if cache.enabled and cache.backend == "redis" and cache.redis_url:
        urls["response_cache"] = cache.redis_url
    exports = config.exports
    # Exports authenticate API keys against this Redis: without it every key is refused.
    if exports.enabled and exports.key_store == "redis" and exports.redis_url:
        urls["exports"] = exports.redis_url
    return urls


class ReadinessProbe:
    def __init__(self, config: RouterConfig) -> None:
        self._components = configured_redis_urls(config)
        self._clients: dict[str, Any] = {}

    def _client(self, url: str) -> Any:
        client = self._clients.get(url)
        if client is None:
            import redis.asyncio as aioredis

            client = aioredis.from_url(url, socket_timeout=_TIMEOUT, socket_connect_timeout=_TIMEOUT)
            self._clients[url] = client
        return client

    async def problems(self) -> list[str]:
        """One "component: ErrorType" entry per unreachable Redis; empty when ready.
        (URLs are not reported: they may hold a password.)"""
        components = list(self._components.items())
        outcomes = await asyncio.gather(
            *(self._client(url).ping() for _, url in components), return_exceptions=True
        )
        return [
            f"{component}: {type(outcome).__name__}"
            for (component, _), outcome in zip(components, outcomes, strict=True)
            if isinstance(outcome, BaseException)
        ]

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
