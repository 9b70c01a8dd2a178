"""/metrics completeness: APQ, plan and document caches, subgraph fetches, refusals, latency.

Metrics are process-wide, so every assertion is on the difference between two scrapes.
"""

from __future__ import annotations

import hashlib

import orjson

from tests.router.http.fixtures import Subgraphs
from tests.router.observability.support import JSON_HEADERS, scrape, serve

QUERY = 'query ObsProduct { product(id: "2") { name reviews { stars } } }'
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
APQ = {"persistedQuery": {"version": 1, "sha256Hash": SHA}}


async def test_apq_hits_misses_and_registrations_are_counted(subgraphs: Subgraphs) -> None:
    async with serve(subgraphs.sdl) as client:
        before = await scrape(client)
        miss = await client.post("/graphql", content=orjson.dumps({"extensions": APQ}), headers=JSON_HEADERS)
        register = await client.post(
            "/graphql", content=orjson.dumps({"query": QUERY, "extensions": APQ}), headers=JSON_HEADERS
        )
        hits = [
            await client.post("/graphql", content=orjson.dumps({"extensions": APQ}), headers=JSON_HEADERS)
            for _ in range(3)
        ]
        wrong = await client.post(
            "/graphql",
            content=orjson.dumps({"query": "{ products { name } }", "extensions": APQ}),
            headers=JSON_HEADERS,
        )
        after = await scrape(client)
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert register.json() == {
        "data": {"product": {"name": "Yoga mat", "reviews": [{"stars": 2}, {"stars": 4}]}}
    }
    assert all(hit.json() == register.json() for hit in hits)
    assert wrong.status_code == 400
    name = "fitgraph_router_apq_requests_total"
    assert after.delta(before, name, result="miss") == 1
    assert after.delta(before, name, result="registered") == 1
    assert after.delta(before, name, result="hit") == 3
    assert after.delta(before, name, result="refused") == 1
    # The refusals are counted by code as well.
    rejected = "fitgraph_router_rejected_operations_total"
    assert after.delta(before, rejected, code="PERSISTED_QUERY_NOT_FOUND") == 1
    assert after.delta(before, rejected, code="PERSISTED_QUERY_HASH_MISMATCH") == 1


async def test_plan_and_document_cache_lookups_are_counted(subgraphs: Subgraphs) -> None:
    query = "query ObsCaches($n: Int) { products(first: $n) { name } }"
    async with serve(subgraphs.sdl) as client:
        before = await scrape(client)
        for first in (1, 2, 3):
            response = await client.post(
                "/graphql",
                content=orjson.dumps({"query": query, "variables": {"n": first}}),
                headers=JSON_HEADERS,
            )
            assert len(response.json()["data"]["products"]) == first
        after = await scrape(client)
    lookups = "fitgraph_router_cache_lookups_total"
    # A fresh engine: the first request plans and parses, the other two reuse both.
    assert after.delta(before, lookups, cache="plan", result="miss") == 1
    assert after.delta(before, lookups, cache="plan", result="hit") == 2
    assert after.delta(before, lookups, cache="document", result="miss") == 1
    assert after.delta(before, lookups, cache="document", result="hit") == 2


async def test_subgraph_fetch_latency_and_errors_by_subgraph(subgraphs: Subgraphs) -> None:
    query = '{ product(id: "1") { name reviews { body } } }'
    async with serve(subgraphs.sdl) as client:
        before = await scrape(client)
        ok = await client.post("/graphql", content=orjson.dumps({"query": query}), headers=JSON_HEADERS)
        subgraphs.reviews.failure = "http_500"
        failed = await client.post("/graphql", content=orjson.dumps({"query": query}), headers=JSON_HEADERS)
        subgraphs.reviews.failure = None
        errors = await client.post(
            "/graphql", content=orjson.dumps({"query": "{ broken }"}), headers=JSON_HEADERS
        )
        after = await scrape(client)
    assert ok.json() == {"data": {"product": {"name": "Kettlebell", "reviews": [{"body": "Solid"}]}}}
    assert failed.json()["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert errors.json()["data"] == {"broken": None}
    seconds = "fitgraph_router_subgraph_request_duration_seconds_count"
    assert after.delta(before, seconds, subgraph="products", outcome="ok") == 2
    assert after.delta(before, seconds, subgraph="reviews", outcome="ok") == 1
    # The router may retry a failed query fetch; each attempt is inside one observed fetch.
    assert after.delta(before, seconds, subgraph="reviews", outcome="failure") == 1
    assert after.delta(before, seconds, subgraph="products", outcome="errors") == 1
    errors_total = "fitgraph_router_subgraph_errors_total"
    assert after.delta(before, errors_total, subgraph="reviews", code="SUBREQUEST_HTTP_ERROR") == 1
    assert after.delta(before, errors_total, subgraph="products", code="GRAPHQL_ERRORS") == 1


async def test_operation_latency_and_refusals_by_code(subgraphs: Subgraphs) -> None:
    async with serve(subgraphs.sdl) as client:
        before = await scrape(client)
        await client.post(
            "/graphql",
            content=orjson.dumps({"query": "query ObsLatency { products { id } }"}),
            headers=JSON_HEADERS,
        )
        await client.post("/graphql", content=orjson.dumps({"query": "{ nope }"}), headers=JSON_HEADERS)
        await client.post("/graphql", content=orjson.dumps({"query": "{ products { "}), headers=JSON_HEADERS)
        after = await scrape(client)
    histogram = "fitgraph_router_operation_duration_seconds_count"
    assert after.delta(before, histogram, operation="ObsLatency", outcome="ok") == 1
    assert after.delta(before, histogram, operation="(anonymous)", outcome="refused") == 2
    bucket = "fitgraph_router_operation_duration_seconds_bucket"
    assert after.delta(before, bucket, operation="ObsLatency", outcome="ok", le="+Inf") == 1
    rejected = "fitgraph_router_rejected_operations_total"
    assert after.delta(before, rejected, code="GRAPHQL_VALIDATION_FAILED") == 1
    assert after.delta(before, rejected, code="GRAPHQL_PARSE_FAILED") == 1
    assert after[("fitgraph_router_requests_in_flight", ())] == 0


# Issue 5's list of /metrics families → the family names that carry them (the README and
# dashboards refer to these names; renaming one is a breaking change for operators).
ISSUE_5_FAMILIES = {
    "requests by operation name and outcome": ("fitgraph_router_operations_total",),
    "latency histograms": (
        "fitgraph_router_request_duration_seconds",
        "fitgraph_router_operation_duration_seconds",
    ),
    "subgraph fetch latency and errors": (
        "fitgraph_router_subgraph_request_duration_seconds",
        "fitgraph_router_subgraph_errors_total",
    ),
    "cache hit ratios (APQ, plan, response)": (
        "fitgraph_router_apq_requests_total",
        "fitgraph_router_cache_lookups_total",
        "fitgraph_router_response_cache_lookups_total",
    ),
    "rate-limited and rejected counts": (
        "fitgraph_router_rate_limited_total",
        "fitgraph_router_rejected_operations_total",
        "fitgraph_router_rejected_tokens_total",
    ),
    "in-flight requests": ("fitgraph_router_requests_in_flight",),
    "BI exports": ("fitgraph_router_exports_total", "fitgraph_router_export_rows_total"),
}
_TYPES = {"_total": "counter", "_seconds": "histogram", "_in_flight": "gauge"}


async def test_every_family_issue_5_lists_is_exposed_with_help_and_type(subgraphs: Subgraphs) -> None:
    async with serve(subgraphs.sdl) as client:
        await client.post("/graphql", content=orjson.dumps({"query": QUERY}), headers=JSON_HEADERS)
        text = (await client.get("/metrics")).text
    for item, names in ISSUE_5_FAMILIES.items():
        for name in names:
            kind = next(kind for suffix, kind in _TYPES.items() if name.endswith(suffix))
            assert f"# TYPE {name} {kind}\n" in text, f"{item}: {name} is not exposed as a {kind}"
            assert f"# HELP {name} " in text, f"{item}: {name} has no help text"
