"""Benchmark settings from the environment (every knob has a default that `make bench` uses)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MODES", "BenchConfig", "ConfigError", "load_config"]

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BENCH_DIR.parent

# `single`: 1 connection, latency without queueing. `unique`: many connections, each request
# with its own Authorization header so nothing can be collapsed. `identical`: many connections,
# byte-identical requests (inbound deduplication may help here).
MODES: tuple[str, ...] = ("single", "unique", "identical")
_DEFAULT_GATEWAYS = ("fitgraph", "apollo-gateway", "hive-gateway", "hive-gateway-rust", "grafbase")


class ConfigError(ValueError):
    """An environment variable holds a value the harness cannot use."""


@dataclass(frozen=True)
class BenchConfig:
    duration_s: int
    ramp_s: int
    warmup_s: int
    rounds: int
    connections: int
    wrk_threads: int
    base_port: int
    gateways: tuple[str, ...]
    modes: tuple[str, ...]
    startup_timeout_s: float
    fixture_processes: int
    bench_dir: Path
    repo_dir: Path
    results_dir: Path

    @property
    def subgraph_base_port(self) -> int:
        """Subgraph i (of accounts, products, reviews, inventory) listens on this + 1 + i."""
        return self.base_port + 200

    @property
    def gateway_base_port(self) -> int:
        return self.base_port + 300


def _int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ConfigError(f"{name}={raw!r} is not an integer") from error
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _names(name: str, default: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    chosen = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [part for part in chosen if part not in allowed]
    if unknown:
        raise ConfigError(f"{name}: unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def _fixture_processes() -> int:
    value = _int("BENCH_FIXTURE_PROCESSES", 1, 1)
    if value not in (1, 4):
        raise ConfigError(f"BENCH_FIXTURE_PROCESSES={value}: 1 (all subgraphs in one process) or 4 (one each)")
    return value


def load_config() -> BenchConfig:
    """Read BENCH_* variables: DURATION (measured s per run), RAMP (s run before the measured
    window of every run), WARMUP (s), ROUNDS, CONNECTIONS,
    WRK_THREADS, BASE_PORT, GATEWAYS and MODES (comma-separated), STARTUP_TIMEOUT (s),
    FIXTURE_PROCESSES (1 or 4)."""
    return BenchConfig(
        duration_s=_int("BENCH_DURATION", 10, 1),
        ramp_s=_int("BENCH_RAMP", 2, 0),
        warmup_s=_int("BENCH_WARMUP", 3, 0),
        rounds=_int("BENCH_ROUNDS", 3, 1),
        connections=_int("BENCH_CONNECTIONS", 50, 2),
        wrk_threads=_int("BENCH_WRK_THREADS", 1, 1),
        base_port=_int("BENCH_BASE_PORT", 4000, 1024),
        gateways=_names("BENCH_GATEWAYS", _DEFAULT_GATEWAYS, _DEFAULT_GATEWAYS),
        modes=_names("BENCH_MODES", MODES, MODES),
        startup_timeout_s=float(_int("BENCH_STARTUP_TIMEOUT", 60, 1)),
        fixture_processes=_fixture_processes(),
        bench_dir=BENCH_DIR,
        repo_dir=REPO_DIR,
        results_dir=BENCH_DIR / "results",
    )
