"""GET /metrics: operation counts by name and outcome, request latency, in-flight gauge."""

from __future__ import annotations

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from router.stages import observability
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router


async def samples(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def ops(operation: str, outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("fitgraph_router_operations_total", (("operation", operation), ("outcome", outcome)))


async def test_operations_are_counted_by_name_and_outcome(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl) as client:
        before = await samples(client)
        for body in (
            {"query": "query MetricsOk { products(first: 1) { name } }"},
            {"query": "query MetricsOk { products(first: 1) { name } }"},
            {"query": "query MetricsErr { broken }"},
            {"query": "query MetricsBad { nope }", "operationName": "MetricsBad"},
        ):
            await client.post("/graphql", content=orjson.dumps(body), headers=JSON_HEADERS)
        after = await samples(client)

    def delta(key: tuple[str, tuple[tuple[str, str], ...]]) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta(ops("MetricsOk", "ok")) == 2  # the selected operation's name, sent or not
    assert delta(ops("MetricsErr", "errors")) == 1
    assert delta(ops("MetricsBad", "refused")) == 1
    count = ("fitgraph_router_request_duration_seconds_count", (("method", "POST"), ("status", "200")))
    assert delta(count) == 4
    assert after[("fitgraph_router_requests_in_flight", ())] == 0


def test_operation_name_cardinality_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(observability, "_known_names", set())  # leave the process's set alone
    names = [f"Flood{index}" for index in range(2000)]
    labels = {observability._operation_label(name) for name in names}
    assert "(other)" in labels
    assert len(labels) <= 501
