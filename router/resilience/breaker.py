"""Per-subgraph circuit breaker (closed → open → half-open → closed).

Closed: calls pass; `failure_threshold` consecutive failures open the circuit. Open: calls fail
fast (no connection attempt, so a dead subgraph costs the router nothing and gets time to
recover). After `cooldown` seconds one trial call is admitted (half-open); its success closes the
circuit, its failure opens it for another cool-down. The clock is injectable so tests advance
time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from router.resilience.config import CircuitBreakerConfig

__all__ = ["BreakerState", "CircuitBreaker", "CircuitBreakers"]


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    __slots__ = ("_clock", "_config", "_failures", "_opened_at", "_trial_running", "state")

    def __init__(self, config: CircuitBreakerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False
        self.state = BreakerState.CLOSED

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open state: only the single trial call)."""
        if self.state is BreakerState.CLOSED:
            return True
        if self.state is BreakerState.OPEN:
            if self._clock() - self._opened_at < self._config.cooldown:
                return False
            self.state = BreakerState.HALF_OPEN
            self._trial_running = False
        if self._trial_running:
            return False
        self._trial_running = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._trial_running = False
        self.state = BreakerState.CLOSED

    def record_failure(self) -> None:
        self._trial_running = False
        if self.state is BreakerState.HALF_OPEN:
            self._open()
            return
        self._failures += 1
        if self.state is BreakerState.CLOSED and self._failures >= self._config.failure_threshold:
            self._open()

    def release_trial(self) -> None:
        """A trial call ended without a verdict (e.g. its caller was cancelled)."""
        self._trial_running = False

    def _open(self) -> None:
        self.state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._failures = 0


class CircuitBreakers:
    """One breaker per subgraph name, created on first use."""

    __slots__ = ("_breakers", "_clock", "_config")

    def __init__(self, config: CircuitBreakerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, subgraph: str) -> CircuitBreaker:
        breaker = self._breakers.get(subgraph)
        if breaker is None:
            breaker = self._breakers[subgraph] = CircuitBreaker(self._config, self._clock)
        return breaker
