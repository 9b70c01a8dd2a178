"""router.yaml models for subgraph resilience: `subgraphs.retry` and `subgraphs.circuit_breaker`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CircuitBreakerConfig", "DeduplicationConfig", "RetryConfig"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetryConfig(_Model):
    """Retries of failed subgraph *queries* (never mutations: they may have had side effects).

    Only transport failures are retried (connection refused/reset, HTTP 5xx without a GraphQL
    body); a timeout is not, since the caller's time budget is already spent."""

    enabled: bool = True
    max_retries: int = Field(default=2, ge=0, le=10)
    """Attempts after the first one."""
    base_delay: float = Field(default=0.02, ge=0.0, le=10.0)
    """Seconds before the first retry; doubles with each further retry (exponential back-off)."""
    max_delay: float = Field(default=0.5, ge=0.0, le=60.0)
    """Upper bound of one back-off delay (before jitter)."""
    jitter: bool = True
    """Full jitter: each delay is uniform in [0, back-off], so retrying routers do not stampede."""


class CircuitBreakerConfig(_Model):
    """Per-subgraph circuit breaker: after `failure_threshold` consecutive failed calls the
    subgraph is not called for `cooldown` seconds (its fields fail fast with
    SUBGRAPH_CIRCUIT_OPEN); then one trial call decides whether it closes again."""

    enabled: bool = True
    failure_threshold: int = Field(default=5, ge=1, le=10_000)
    cooldown: float = Field(default=5.0, gt=0.0, le=3600.0)
    """Seconds the circuit stays open before a trial call is let through (half-open)."""


class DeduplicationConfig(_Model):
    """Inbound in-flight deduplication: identical queries (same document, operation name,
    variables, authorization and subgraph-bound headers) that arrive while one is executing
    share its execution. Mutations and subscriptions never are."""

    enabled: bool = True
    vary_headers: list[str] = Field(default_factory=list)
    """Further client headers that must match (case-insensitive), beyond `authorization` and
    the headers the router sends to subgraphs, which always do."""
