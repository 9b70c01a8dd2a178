"""Circuit breaker state machine and back-off delays (pure logic, clock advanced by hand)."""

from __future__ import annotations

import random

from router.resilience import BreakerState, CircuitBreaker, CircuitBreakerConfig, RetryConfig, backoff_delay


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_only() -> None:
    clock = _Clock()
    breaker = CircuitBreaker(CircuitBreakerConfig(failure_threshold=3, cooldown=10), clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()  # the streak is broken
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_half_open_admits_one_trial_then_closes_or_reopens() -> None:
    clock = _Clock()
    breaker = CircuitBreaker(CircuitBreakerConfig(failure_threshold=1, cooldown=10), clock)
    breaker.record_failure()
    clock.now += 9.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.allow()  # the trial call
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.allow()  # only one trial at a time
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()  # a fresh cool-down started
    clock.now += 10.1
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_a_trial_without_verdict_frees_the_slot() -> None:
    clock = _Clock()
    breaker = CircuitBreaker(CircuitBreakerConfig(failure_threshold=1, cooldown=1), clock)
    breaker.record_failure()
    clock.now += 2
    assert breaker.allow()
    breaker.release_trial()
    assert breaker.allow()


def test_backoff_grows_exponentially_within_bounds() -> None:
    config = RetryConfig(base_delay=0.1, max_delay=0.5, jitter=False)
    assert [backoff_delay(config, retry) for retry in (1, 2, 3, 4)] == [0.1, 0.2, 0.4, 0.5]
    jittered = RetryConfig(base_delay=0.1, max_delay=0.5, jitter=True)
    rng = random.Random(7)
    delays = [backoff_delay(jittered, 3, rng) for _ in range(200)]
    assert all(0.0 <= delay < 0.4 for delay in delays)
    assert len(set(delays)) > 150  # spread out, not one synchronized value
