"""Rate-limit, response-cache and APQ counters with every store in real Redis."""

from __future__ import annotations

import hashlib

import orjson

from tests.router.http.fixtures import Subgraphs
from tests.router.observability.support import JSON_HEADERS, scrape, serve

QUERY = "query ObsCached { products(first: 2) { id name } }"


async def test_rate_limited_cached_and_persisted_counts(
    subgraphs: Subgraphs, redis_url: str, redis_prefix: str
) -> None:
    config = {
        "apq": {"redis_url": redis_url, "redis_prefix": f"{redis_prefix}apq:"},
        "rate_limit": {
            "backend": "redis",
            "redis_url": redis_url,
            "redis_prefix": f"{redis_prefix}rl:",
            # Four operations, then (at this refill rate) none for the rest of the test.
            "tiers": {
                "anonymous": {"capacity": 4, "refill_per_second": 0.001},
                "authenticated": {"capacity": 100, "refill_per_second": 10},
            },
        },
        "response_cache": {
            "enabled": True,
            "backend": "redis",
            "redis_url": redis_url,
            "redis_prefix": f"{redis_prefix}rc:",
            "types": {"Product": {"max_age": 60}},
            "fields": {"Query.products": {"max_age": 60}},
        },
    }
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(QUERY.encode()).hexdigest()}}
    async with serve(subgraphs.sdl, config) as client:
        before = await scrape(client)
        bodies = [
            {"extensions": extensions},  # APQ miss (refused before the rate limit)
            {"query": QUERY, "extensions": extensions},  # registered; response cache miss
            {"extensions": extensions},  # APQ hit; response cache hit
            {"query": QUERY},  # response cache hit
            {"query": QUERY},  # fourth operation through the rate limit
            {"query": QUERY},  # rate limited
        ]
        responses = [
            await client.post("/graphql", content=orjson.dumps(body), headers=JSON_HEADERS) for body in bodies
        ]
        after = await scrape(client)
    expected = {"data": {"products": [{"id": "1", "name": "Kettlebell"}, {"id": "2", "name": "Yoga mat"}]}}
    assert [response.json() for response in responses[1:5]] == [expected] * 4
    assert responses[5].status_code == 429
    assert responses[5].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Only the first execution reached the subgraph: the rest came from the response cache.
    assert len(subgraphs.products.received) == 1
    assert after.delta(before, "fitgraph_router_rate_limited_total", tier="anonymous") == 1
    assert after.delta(before, "fitgraph_router_rejected_operations_total", code="RATE_LIMITED") == 1
    assert after.delta(before, "fitgraph_router_response_cache_lookups_total", result="miss") == 1
    assert after.delta(before, "fitgraph_router_response_cache_lookups_total", result="hit") == 3
    assert after.delta(before, "fitgraph_router_apq_requests_total", result="hit") == 1
    assert after.delta(before, "fitgraph_router_apq_requests_total", result="miss") == 1
    assert after.delta(before, "fitgraph_router_operations_total", operation="ObsCached", outcome="ok") == 4
