"""Medians over rounds, the RESULT lines, the FitGraph ratio table and the JSON record."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness.config import BenchConfig

__all__ = ["GatewayOutcome", "RunSample", "Summary", "machine_info", "render", "summarize", "versions", "write_json"]

_REFERENCE = "fitgraph"
_NPM_PACKAGES = (
    "@apollo/gateway",
    "@apollo/server",
    "@graphql-hive/gateway",
    "@graphql-hive/router-runtime",
    "@theguild/federation-composition",
    "@apollo/subgraph",
    "graphql",
    "@grafbase/cli-x86_64-unknown-linux-musl",
)


@dataclass(frozen=True)
class RunSample:
    """One wrk run of one gateway in one mode."""

    round: int
    requests: int
    rps: float
    # Latencies are meaningless (and wrk reports 0) when no request completed in the window.
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    rss_mb: float
    error_kinds: dict[str, int] = field(default_factory=dict)
    # CPU milliseconds per completed response over the whole wrk run, for the gateway's process
    # tree and for the four subgraphs together: unlike requests/s, this barely depends on what
    # else the machine is doing (in-flight requests at the end make it slightly high).
    gateway_cpu_ms: float | None = None
    subgraphs_cpu_ms: float | None = None


@dataclass
class GatewayOutcome:
    name: str
    note: str = ""
    skipped: str | None = None
    response_bytes: int = 0
    samples: dict[str, list[RunSample]] = field(default_factory=dict)
    # Problems that did not stop the gateway being measured (e.g. a failed re-check after load).
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    gateway: str
    mode: str
    rps: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    errors: int
    rss_mb: float
    rounds: int
    gateway_cpu_ms: float | None = None
    subgraphs_cpu_ms: float | None = None


def summarize(outcome: GatewayOutcome, mode: str) -> Summary | None:
    """Median of each figure over the rounds; errors summed; RSS is the peak of all rounds."""
    samples = outcome.samples.get(mode) or []
    if not samples:
        return None
    timed = [sample for sample in samples if sample.requests > 0]

    def latency(pick: Callable[[RunSample], float]) -> float | None:
        return statistics.median(pick(sample) for sample in timed) if timed else None

    def cpu(pick: Callable[[RunSample], float | None]) -> float | None:
        values = [value for sample in samples if (value := pick(sample)) is not None]
        return statistics.median(values) if values else None

    return Summary(
        gateway=outcome.name,
        mode=mode,
        rps=statistics.median(sample.rps for sample in samples),
        p50_ms=latency(lambda sample: sample.p50_ms),
        p95_ms=latency(lambda sample: sample.p95_ms),
        p99_ms=latency(lambda sample: sample.p99_ms),
        errors=sum(sample.errors for sample in samples),
        rss_mb=max(sample.rss_mb for sample in samples),
        rounds=len(samples),
        gateway_cpu_ms=cpu(lambda sample: sample.gateway_cpu_ms),
        subgraphs_cpu_ms=cpu(lambda sample: sample.subgraphs_cpu_ms),
    )


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _result_line(summary: Summary) -> str:
    return (
        f"RESULT gateway={summary.gateway} mode={summary.mode} rps={summary.rps:.1f} "
        f"p50_ms={_ms(summary.p50_ms)} p95_ms={_ms(summary.p95_ms)} p99_ms={_ms(summary.p99_ms)} "
        f"errors={summary.errors} rss_mb={summary.rss_mb:.1f}"
    )


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or numerator <= 0 or denominator <= 0:
        return "n/a"
    return f"{numerator / denominator:.2f}x"


def render(outcomes: list[GatewayOutcome], modes: tuple[str, ...]) -> list[str]:
    """RESULT lines (one per gateway and mode, or a skip line) and the ratio table."""
    lines: list[str] = []
    summaries: dict[tuple[str, str], Summary] = {}
    for outcome in outcomes:
        for mode in modes:
            summary = summarize(outcome, mode)
            if outcome.skipped or summary is None:
                reason = outcome.skipped or "no completed runs"
                # The full reason is in the JSON record; keep the line readable.
                lines.append(f"RESULT gateway={outcome.name} mode={mode} skipped: {reason[:200]}")
                continue
            summaries[(outcome.name, mode)] = summary
            lines.append(_result_line(summary))
    peers = [outcome.name for outcome in outcomes if outcome.name != _REFERENCE]
    if peers:
        lines += ["", "FitGraph vs peers (requests/s ratio = fitgraph / peer; p50 ratio = peer / fitgraph; >1 favours FitGraph)"]
        header = f"{'mode':<10} " + " ".join(f"{peer:>24}" for peer in peers)
        lines += [header, "-" * len(header)]
        for mode in modes:
            ours = summaries.get((_REFERENCE, mode))
            cells = []
            for peer in peers:
                theirs = summaries.get((peer, mode))
                if ours is None or theirs is None:
                    cells.append(f"{'n/a':>24}")
                    continue
                cell = f"rps {_ratio(ours.rps, theirs.rps)} p50 {_ratio(theirs.p50_ms, ours.p50_ms)}"
                cells.append(f"{cell:>24}")
            lines.append(f"{mode:<10} " + " ".join(cells))
        if not any(name == _REFERENCE for name, _ in summaries):
            lines.append("(fitgraph was not measured, so every ratio is n/a)")
    if summaries:
        lines += ["", "CPU per response, ms (gateway process tree / the four subgraphs), median of rounds"]
        header = f"{'gateway':<20} " + " ".join(f"{mode:>16}" for mode in modes)
        lines += [header, "-" * len(header)]
        for outcome in outcomes:
            cells = []
            for mode in modes:
                found = summaries.get((outcome.name, mode))
                if found is None or found.gateway_cpu_ms is None:
                    cells.append(f"{'n/a':>16}")
                else:
                    cells.append(f"{found.gateway_cpu_ms:.1f} / {_ms(found.subgraphs_cpu_ms)}".rjust(16))
            if any(cell.strip() != "n/a" for cell in cells):
                lines.append(f"{outcome.name:<20} " + " ".join(cells))
    return lines


def _command_output(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    text = (completed.stdout or completed.stderr).strip()
    return text.splitlines()[0] if text else "unavailable"


def machine_info() -> dict[str, Any]:
    cpu_model = "unknown"
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu_model = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        memory_kb = 0
    return {
        "cpu_model": cpu_model,
        "cpus": os.cpu_count(),
        "memory_mb": memory_kb // 1024,
        "kernel": platform.release(),
        "load_average_at_start": list(os.getloadavg()),
    }


def versions(config: BenchConfig) -> dict[str, str]:
    found: dict[str, str] = {
        "node": _command_output(["node", "--version"]),
        "wrk": _command_output(["wrk", "--version"]),
        "python": platform.python_version(),
        "fitgraph_git": _command_output(["git", "-C", str(config.repo_dir), "rev-parse", "--short", "HEAD"]),
    }
    for package in _NPM_PACKAGES:
        manifest = config.bench_dir / "node_modules" / package / "package.json"
        try:
            found[package] = json.loads(manifest.read_text())["version"]
        except (OSError, ValueError, KeyError):
            found[package] = "not installed"
    return found


def write_json(
    config: BenchConfig,
    outcomes: list[GatewayOutcome],
    *,
    started: datetime,
    machine: dict[str, Any],
    response_bytes: int,
    elapsed_s: float,
    planning: list[dict[str, str]],
) -> Path:
    """bench/results/<UTC timestamp>.json: settings, machine, versions, every sample, medians."""
    config.results_dir.mkdir(parents=True, exist_ok=True)
    path = config.results_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    record = {
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "elapsed_s": round(elapsed_s, 1),
        "machine": machine,
        "versions": versions(config),
        "settings": {
            "duration_s": config.duration_s,
            "ramp_s": config.ramp_s,
            "warmup_s": config.warmup_s,
            "rounds": config.rounds,
            "connections": config.connections,
            "wrk_threads": config.wrk_threads,
            "fixture_processes": config.fixture_processes,
            "modes": list(config.modes),
        },
        "expected_response_bytes": response_bytes,
        "planning": planning,
        "gateways": [
            {
                "name": outcome.name,
                "note": outcome.note,
                "skipped": outcome.skipped,
                "warnings": outcome.warnings,
                "response_bytes": outcome.response_bytes,
                "summary": {
                    mode: asdict(summary)
                    for mode in config.modes
                    if (summary := summarize(outcome, mode)) is not None
                },
                "samples": {mode: [asdict(sample) for sample in runs] for mode, runs in outcome.samples.items()},
            }
            for outcome in outcomes
        ],
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path
