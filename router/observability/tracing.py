"""The router's OpenTelemetry tracer: one TracerProvider per app, built from router.yaml.

The provider is not installed globally (`trace.set_tracer_provider` may run once per process):
each app holds its own, so two routers in one process (tests, hot reload) never share spans.
Span context still flows through the global OpenTelemetry context (contextvars), so spans of
the request, its stages and its subgraph fetches nest without any plumbing.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from router.observability.config import TelemetryConfig

__all__ = ["PROPAGATOR", "Telemetry"]

# W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2 traceparent, §3.3 tracestate).
PROPAGATOR = TraceContextTextMapPropagator()


class Telemetry:
    """Holds the tracer (None when tracing is off: every instrumentation point then costs one
    attribute check)."""

    def __init__(
        self,
        config: TelemetryConfig | None = None,
        *,
        exporters: Sequence[SpanExporter] = (),
    ) -> None:
        """`exporters` are extra exporters fed synchronously (tests use an in-memory one); they
        turn tracing on even when router.yaml leaves it off."""
        config = config or TelemetryConfig()
        tracing = config.tracing
        self.provider: TracerProvider | None = None
        self.tracer: trace.Tracer | None = None
        if not (tracing.enabled or exporters):
            return
        provider = TracerProvider(
            resource=Resource.create({"service.name": config.service_name}),
            sampler=ParentBased(TraceIdRatioBased(tracing.sample_ratio)),
        )
        if tracing.otlp is not None:
            # Imported only when configured: the exporter pulls in protobuf and requests.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            otlp = OTLPSpanExporter(
                endpoint=tracing.otlp.endpoint,
                headers=dict(tracing.otlp.headers),
                timeout=tracing.otlp.timeout,
            )
            # Batched off the event loop (the SDK's worker thread): export never delays a request.
            provider.add_span_processor(BatchSpanProcessor(otlp))
        for exporter in exporters:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        self.provider = provider
        self.tracer = provider.get_tracer("fitgraph.router")

    @property
    def enabled(self) -> bool:
        return self.tracer is not None

    def force_flush(self, timeout_millis: int = 10_000) -> bool:
        return self.provider.force_flush(timeout_millis) if self.provider is not None else True

    def shutdown(self) -> None:
        """Flushes pending spans; blocking (the batch processor joins its thread): call it
        from a worker thread when an event loop is running."""
        if self.provider is not None:
            self.provider.shutdown()
