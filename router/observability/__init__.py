"""Router observability (issue 5): OpenTelemetry tracing, the metrics the stages do not own,
and the instrumentation that attaches both to the app, the pipeline and the subgraph client.
"""

from __future__ import annotations

from router.observability.config import OtlpConfig, TelemetryConfig, TracingConfig
from router.observability.tracing import Telemetry

__all__ = ["OtlpConfig", "Telemetry", "TelemetryConfig", "TracingConfig"]
