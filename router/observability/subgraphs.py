"""Subgraph fetches, observed: the Engine's pooled client with latency/error metrics and a
CLIENT span per fetch whose context is what the subgraph receives as `traceparent`.

It subclasses `SubgraphClient` and overrides only its public `fetch`, so pooling, timeouts,
retries and in-flight dedup stay the client's own (its dedup key leaves out the trace headers,
so a per-fetch traceparent does not defeat it).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from router.observability.metrics import SUBGRAPH_ERRORS, SUBGRAPH_SECONDS
from router.observability.tracing import PROPAGATOR, Telemetry
from router.subgraph_client import SubgraphClient, SubgraphFailure

__all__ = ["InstrumentedSubgraphClient"]


class InstrumentedSubgraphClient(SubgraphClient):
    def __init__(self, telemetry: Telemetry | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._tracer = telemetry.tracer if telemetry is not None else None

    async def fetch(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_seconds: float = 30.0,
        dedupe: bool = False,
    ) -> dict[str, Any]:
        span: trace.Span | None = None
        if self._tracer is not None:
            span = self._tracer.start_span(
                f"subgraph {subgraph}",
                kind=SpanKind.CLIENT,
                attributes={
                    "graphql.federation.subgraph.name": subgraph,
                    "http.request.method": "POST",
                    "url.full": url,
                },
            )
            carrier: dict[str, str] = {}
            PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
            # W3C Trace Context §3.2: the subgraph's parent is this fetch, in the client's trace.
            headers = {**(headers or {}), **carrier}
        started = time.perf_counter()
        try:
            result = await super().fetch(
                subgraph, url, body, headers=headers, timeout_seconds=timeout_seconds, dedupe=dedupe
            )
        except SubgraphFailure as failure:
            SUBGRAPH_SECONDS.labels(subgraph, "failure").observe(time.perf_counter() - started)
            SUBGRAPH_ERRORS.labels(subgraph, failure.code).inc()
            if span is not None:
                span.set_attribute("graphql.error.codes", [failure.code])
                span.set_status(Status(StatusCode.ERROR, failure.reason))
                span.end()
            raise
        except BaseException:
            if span is not None:
                span.set_status(Status(StatusCode.ERROR, "cancelled"))
                span.end()
            raise
        has_errors = bool(result.get("errors"))
        SUBGRAPH_SECONDS.labels(subgraph, "errors" if has_errors else "ok").observe(
            time.perf_counter() - started
        )
        if has_errors:
            SUBGRAPH_ERRORS.labels(subgraph, "GRAPHQL_ERRORS").inc()
        if span is not None:
            if has_errors:
                span.set_attribute("graphql.errors", True)
            span.end()
        return result
