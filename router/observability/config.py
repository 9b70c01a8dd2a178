"""router.yaml `telemetry:` section: OpenTelemetry tracing and its OTLP/HTTP export."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["OtlpConfig", "TelemetryConfig", "TracingConfig"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class OtlpConfig(_Model):
    """OTLP over HTTP with protobuf bodies (OTLP specification, "OTLP/HTTP")."""

    endpoint: str = Field(pattern=r"^https?://\S+$")
    """Full URL of the traces endpoint, e.g. http://otel-collector:4318/v1/traces."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra request headers (e.g. a vendor's API key, taken from ${env.…})."""
    timeout: float = Field(default=10.0, gt=0.0)
    """Seconds one export request may take."""


class TracingConfig(_Model):
    """A span per request, per pipeline stage and per subgraph fetch."""

    enabled: bool = False
    """Record spans (off: no tracing cost; W3C traceparent is still propagated to subgraphs)."""
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    """Share of new traces recorded; a client's sampled flag in traceparent is honoured (parent-based)."""
    otlp: OtlpConfig | None = None
    """Where finished spans are exported; absent = spans are recorded but not exported."""


class TelemetryConfig(_Model):
    """OpenTelemetry settings."""

    service_name: str = Field(default="fitgraph-router", min_length=1)
    """`service.name` resource attribute of every span."""
    tracing: TracingConfig = Field(default_factory=TracingConfig)
