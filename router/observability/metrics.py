"""Prometheus metrics added by router.observability (the HTTP-edge ones live in
router/stages/observability.py; stages own theirs: rate limits, tokens, response cache…).

Hit ratios in PromQL, e.g. APQ:
    sum(rate(fitgraph_router_apq_requests_total{result="hit"}[5m]))
  / sum(rate(fitgraph_router_apq_requests_total{result=~"hit|miss"}[5m]))
and the plan cache: the same over fitgraph_router_cache_lookups_total{cache="plan"}.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "APQ_REQUESTS",
    "CACHE_LOOKUPS",
    "EXPORTS",
    "EXPORT_ROWS",
    "OPERATION_SECONDS",
    "REJECTED_OPERATIONS",
    "SUBGRAPH_ERRORS",
    "SUBGRAPH_SECONDS",
]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

APQ_REQUESTS = Counter(
    "fitgraph_router_apq_requests_total",
    "Automatic persisted query requests by result: hit (hash only, known), miss (hash only, "
    "PERSISTED_QUERY_NOT_FOUND), registered (text with its hash), refused (bad hash or version).",
    ("result",),
)
CACHE_LOOKUPS = Counter(
    "fitgraph_router_cache_lookups_total",
    "Lookups in the Engine's caches by cache (plan: query plans; document: parsed and "
    "validated documents) and result (hit or miss).",
    ("cache", "result"),
)
OPERATION_SECONDS = Histogram(
    "fitgraph_router_operation_duration_seconds",
    "Time one GraphQL operation spends in the pipeline, by operation name and outcome.",
    ("operation", "outcome"),
    buckets=_BUCKETS,
)
REJECTED_OPERATIONS = Counter(
    "fitgraph_router_rejected_operations_total",
    "Operations refused before or instead of execution, by the error's extensions.code.",
    ("code",),
)
SUBGRAPH_SECONDS = Histogram(
    "fitgraph_router_subgraph_request_duration_seconds",
    "Time of one subgraph fetch, by subgraph and outcome (ok, errors: a GraphQL response with "
    "errors, failure: no usable response).",
    ("subgraph", "outcome"),
    buckets=_BUCKETS,
)
SUBGRAPH_ERRORS = Counter(
    "fitgraph_router_subgraph_errors_total",
    "Subgraph fetches that failed (code: GATEWAY_TIMEOUT, SUBREQUEST_HTTP_ERROR, …) or "
    "answered with GraphQL errors (code: GRAPHQL_ERRORS), by subgraph.",
    ("subgraph", "code"),
)
# Export names come from the server's definitions (schema/exports), so they are bounded labels.
EXPORTS = Counter(
    "fitgraph_router_exports_total",
    "BI exports by export name, format and outcome (ok, refused: answered with an error before "
    "the file started, failed: aborted mid-stream).",
    ("export", "format", "outcome"),
)
EXPORT_ROWS = Counter(
    "fitgraph_router_export_rows_total", "Rows streamed by BI exports, by export name.", ("export",)
)
