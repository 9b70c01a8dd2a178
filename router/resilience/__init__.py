"""Subgraph-call resilience (issue 4): retries with back-off for queries and circuit breakers."""

from __future__ import annotations

from router.resilience.breaker import BreakerState, CircuitBreaker, CircuitBreakers
from router.resilience.config import CircuitBreakerConfig, DeduplicationConfig, RetryConfig
from router.resilience.retry import backoff_delay

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitBreakerConfig",
    "CircuitBreakers",
    "DeduplicationConfig",
    "RetryConfig",
    "backoff_delay",
]
