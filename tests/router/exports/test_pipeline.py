"""Export pages run through the router's operation pipeline (issue 5 gap 1): router-level
authorization (`@requiresScopes`) filters export queries for bearer tokens and API keys alike,
a FORBIDDEN field fails the export with 403 before any byte of a file, rate limits count every
page, and pages are observed (metrics, spans) like /graphql operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from router.exports.keys import FileApiKeyStore
from router.observability.tracing import Telemetry
from tests.router.caching.support import bearer
from tests.router.exports.support import SUPERGRAPH, WORKOUTS, Analytics, export_app, running_analytics
from tests.support.servers import running_server

BI = bearer("analyst", "bi")  # bi:read only
BI_HEALTH = bearer("analyst", "bi", scopes=["bi:read", "health:read"])

# The same supergraph with `Workout.calories` behind @requiresScopes (requiresScopes spec v0.1).
SCOPED_SUPERGRAPH = (
    SUPERGRAPH.replace(
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)\n'
        '  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY, import: ["@requiresScopes"])',
    ).replace("  calories: Int\n", '  calories: Int @requiresScopes(scopes: [["health:read"]])\n')
    + "\nscalar requiresScopes__Scope\n"
    "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) "
    "on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n"
)
assert SCOPED_SUPERGRAPH.count("@requiresScopes(scopes") == 2

NO_CALORIES = """# export: workouts
# rows: workouts.edges.node
# page_info: workouts.pageInfo
query LeanExport($first: Int! = 10, $after: String) {
  workouts(first: $first, after: $after) { edges { node { id sport } } pageInfo { hasNextPage endCursor } }
}
"""


@pytest.fixture(scope="module")
async def analytics() -> AsyncIterator[Analytics]:
    async with running_analytics() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(analytics: Analytics) -> None:
    analytics.subgraph.reset()


def _rows(response: httpx.Response) -> list[str]:
    return response.text.splitlines()[1:]


async def test_requires_scopes_filters_export_queries_for_bearer_tokens(
    analytics: Analytics, tmp_path: Path
) -> None:
    app = export_app(analytics, tmp_path, supergraph=SCOPED_SUPERGRAPH)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        refused = await client.get("/exports/workouts.csv", headers=BI)
        # Refused as a whole, before the first byte of a file: no partial CSV with empty calories.
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/json")
        errors = refused.json()["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert errors[0]["path"][-1] == "calories"
        granted = await client.get("/exports/workouts.csv", headers=BI_HEALTH)
        assert granted.status_code == 200
        assert granted.text.splitlines()[0].split(",")[4] == "calories"
        assert len(_rows(granted)) == len(WORKOUTS)
        # The same caller on /graphql meets the same rule: one authorization for both doors.
        graphql = await client.post(
            "/graphql", json={"query": "{ workouts(first: 1) { edges { node { calories } } } }"}, headers=BI
        )
        assert graphql.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_export_not_selecting_a_protected_field_runs(analytics: Analytics, tmp_path: Path) -> None:
    app = export_app(analytics, tmp_path, supergraph=SCOPED_SUPERGRAPH, export=NO_CALORIES)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.get("/exports/workouts.csv", headers=BI)
    assert response.status_code == 200
    assert response.text.splitlines()[0] == "id,sport"
    assert len(_rows(response)) == len(WORKOUTS)


async def test_requires_scopes_applies_to_api_keys_through_their_scopes(
    analytics: Analytics, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    store = FileApiKeyStore(keys_file)
    narrow, _ = await store.create("power-bi", ("bi:read",))
    wide, _ = await store.create("health-bi", ("bi:read", "health:read"))
    app = export_app(
        analytics, tmp_path / "defs", supergraph=SCOPED_SUPERGRAPH, key_store="file", keys_file=str(keys_file)
    )
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        refused = await client.get("/exports/workouts.ndjson", params={"api_key": narrow})
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        granted = await client.get("/exports/workouts.ndjson", params={"api_key": wide})
        assert granted.status_code == 200
        assert len(granted.content.splitlines()) == len(WORKOUTS)


def _rate_limited(capacity: int, refill: float) -> dict[str, object]:
    tiers = {
        "anonymous": {"capacity": 1, "refill_per_second": 0.001},
        "authenticated": {"capacity": capacity, "refill_per_second": refill},
    }
    return {"rate_limit": {"enabled": True, "backend": "memory", "tiers": tiers}}


async def test_rate_limits_count_every_export_page(analytics: Analytics, tmp_path: Path) -> None:
    # Room for two operations: the export's first two pages pass, the third is refused; the
    # export may not wait, so the transfer aborts (never a short file that looks complete).
    app = export_app(analytics, tmp_path, router=_rate_limited(2, 0.001), max_rate_limit_wait=0)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            async with client.stream("GET", "/exports/workouts.csv", headers=BI) as response:
                assert response.status_code == 200
                async for _ in response.aiter_bytes():
                    pass
        assert [request.variables.get("after") for request in analytics.subgraph.received] == [None, "10"]
        # The buckets are the /graphql ones: the same identity is now limited there too…
        graphql = await client.post(
            "/graphql", json={"query": "{ workouts { pageInfo { hasNextPage } } }"}, headers=BI
        )
        assert graphql.status_code == 429
        # …and a new export is refused with 429 and Retry-After before any file starts.
        again = await client.get("/exports/workouts.csv", headers=BI)
        assert again.status_code == 429
        assert again.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(again.headers["retry-after"]) >= 1


async def test_a_rate_limited_export_waits_for_its_tokens(analytics: Analytics, tmp_path: Path) -> None:
    # One token, refilled 4 per second: each page after the first waits for Retry-After.
    app = export_app(analytics, tmp_path, router=_rate_limited(1, 4.0), max_rate_limit_wait=10)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.get("/exports/workouts.csv", headers=BI)
    assert response.status_code == 200
    assert len(_rows(response)) == len(WORKOUTS)
    assert [request.variables.get("after") for request in analytics.subgraph.received] == [None, "10", "20"]


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_export_pages_are_observed_like_graphql_operations(
    analytics: Analytics, tmp_path: Path
) -> None:
    exporter = InMemorySpanExporter()
    app = export_app(analytics, tmp_path, telemetry=Telemetry(exporters=[exporter]))
    operations = {"operation": "WorkoutsExport", "outcome": "ok"}
    before = (
        _sample("fitgraph_router_operation_duration_seconds_count", **operations),
        _sample("fitgraph_router_exports_total", export="workouts", format="csv", outcome="ok"),
        _sample("fitgraph_router_export_rows_total", export="workouts"),
    )
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.get("/exports/workouts.csv", headers=BI)
        assert response.status_code == 200
        metrics = (await client.get("/metrics")).text
    assert _sample("fitgraph_router_operation_duration_seconds_count", **operations) == before[0] + 3
    assert (
        _sample("fitgraph_router_exports_total", export="workouts", format="csv", outcome="ok")
        == before[1] + 1
    )
    assert _sample("fitgraph_router_export_rows_total", export="workouts") == before[2] + len(WORKOUTS)
    assert "fitgraph_router_exports_total" in metrics
    names = [span.name for span in exporter.get_finished_spans()]
    assert names.count("query WorkoutsExport") == 3  # one operation span per page
    assert names.count("router.stage AuthzStage") == 3
    assert not any(name.startswith("router.stage AuthnStage") for name in names)


async def test_a_graphql_request_error_is_reported_not_streamed(analytics: Analytics, tmp_path: Path) -> None:
    # The page-size limit of the pipeline (limits.max_fields) refuses the export's operation.
    app = export_app(analytics, tmp_path, router={"limits": {"max_fields": 3}})
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.get("/exports/workouts.csv", headers=BI)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"]
    assert analytics.subgraph.received == []
