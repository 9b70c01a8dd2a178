"""Helpers of the observability tests: the router served on loopback, /metrics as numbers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from router.app import create_app
from router.config import parse_config
from router.observability import Telemetry
from tests.support.servers import running_server

__all__ = ["JSON_HEADERS", "MetricKey", "Samples", "metric", "scrape", "serve"]

JSON_HEADERS = {"content-type": "application/json"}
MetricKey = tuple[str, tuple[tuple[str, str], ...]]


class Samples(dict[MetricKey, float]):
    def delta(self, before: Samples, name: str, **labels: str) -> float:
        key = metric(name, **labels)
        return self.get(key, 0.0) - before.get(key, 0.0)


def metric(name: str, **labels: str) -> MetricKey:
    return (name, tuple(sorted(labels.items())))


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    found = Samples()
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@contextlib.asynccontextmanager
async def serve(
    sdl: str, config: dict[str, Any] | None = None, *, telemetry: Telemetry | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The router (uvicorn, free loopback port, lifespan on); yields an httpx client bound to it."""
    app = create_app(parse_config(config or {}), sdl, telemetry=telemetry)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        yield client
