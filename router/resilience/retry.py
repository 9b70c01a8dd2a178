"""Exponential back-off with full jitter for retried subgraph queries."""

from __future__ import annotations

import random

from router.resilience.config import RetryConfig

__all__ = ["backoff_delay"]


def backoff_delay(config: RetryConfig, retry: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `retry` (1-based): min(max_delay, base·2^(retry-1)),
    scaled by a uniform factor in [0, 1) with jitter ("full jitter")."""
    delay = min(config.max_delay, config.base_delay * (2 ** (retry - 1)))
    if config.jitter:
        delay *= (rng or random).random()
    return delay
