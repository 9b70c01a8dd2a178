"""Prometheus metrics of the HTTP edge (served by the app on GET /metrics).

Operation names come from clients, so they are label values only up to a fixed number of
distinct names; later ones are counted as "other" (unbounded label cardinality would let a
client exhaust the router's memory).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["IN_FLIGHT", "REQUESTS", "REQUEST_SECONDS", "observe_operation", "operation_label"]

_MAX_OPERATION_NAMES = 500
_known_names: set[str] = set()

REQUESTS = Counter(
    "fitgraph_router_operations_total",
    "GraphQL operations answered, by operation name and outcome.",
    ("operation", "outcome"),
)
REQUEST_SECONDS = Histogram(
    "fitgraph_router_request_duration_seconds",
    "Time to answer an HTTP request on the GraphQL endpoint (a batch counts once).",
    ("method", "status"),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_FLIGHT = Gauge("fitgraph_router_requests_in_flight", "HTTP requests on the GraphQL endpoint being answered.")


def _operation_label(name: str | None) -> str:
    if not name:
        return "(anonymous)"
    if name in _known_names:
        return name
    if len(_known_names) < _MAX_OPERATION_NAMES:
        _known_names.add(name)
        return name
    return "(other)"


def operation_label(name: str | None) -> str:
    """The bounded label value for a client-chosen operation name (shared by every metric)."""
    return _operation_label(name)


# Labelled children, looked up once: `labels()` takes a lock and re-validates its arguments on
# every call, a per-request cost. Bounded like the labels themselves (names × outcomes).
_request_counters: dict[tuple[str, str], Any] = {}


def observe_operation(name: str | None, outcome: str) -> None:
    """outcome: "ok", "errors" (executed with errors) or "refused" (request error)."""
    key = (_operation_label(name), outcome)
    counter = _request_counters.get(key)
    if counter is None:
        counter = _request_counters[key] = REQUESTS.labels(*key)
    counter.inc()
