"""Drive one gateway with wrk (bench/wrk/bench.lua) and parse the figures it prints."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WrkResult", "WrkSettings", "run_wrk"]

_MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class WrkSettings:
    script: Path
    body_file: Path
    min_bytes: int
    threads: int
    connections: int
    # Seconds run before the measured window (see BENCH_RAMP_S in bench.lua).
    ramp_s: int = 0


@dataclass(frozen=True)
class WrkResult:
    # Responses in the measured window (after the ramp) and over the whole run.
    requests: int
    total_requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    # Non-zero error counts by kind: connect, read, write, timeout, bad_response (non-200
    # status, an "errors" member, or a short body).
    error_kinds: dict[str, int]
    detail: dict[str, float]
    # The first bad response wrk saw (status, size, start of body), if any.
    bad_sample: str = ""


def run_wrk(settings: WrkSettings, port: int, mode: str, duration_s: int, *, ramp: bool = True) -> WrkResult:
    """One bounded run of ramp + duration_s seconds; requests/s counts only the responses of
    the last duration_s seconds. `single` uses 1 connection; the others settings.connections."""
    connections = 1 if mode == "single" else settings.connections
    threads = max(1, min(settings.threads, connections))
    ramp_s = settings.ramp_s if ramp else 0
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s + ramp_s}s",
        # A slow gateway under 50 connections can exceed wrk's default 2 s timeout; a timeout
        # would hide its latency instead of measuring it.
        "--timeout",
        "30s",
        "-s",
        str(settings.script),
        f"http://127.0.0.1:{port}/graphql",
    ]
    env = dict(os.environ)
    env.update(
        BENCH_BODY_FILE=str(settings.body_file),
        BENCH_MODE=mode,
        BENCH_MIN_BYTES=str(settings.min_bytes),
        BENCH_RAMP_S=str(ramp_s),
    )
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration_s + ramp_s + 90, check=False
    )
    line = next((row for row in completed.stdout.splitlines() if row.startswith(_MARKER)), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {completed.returncode}): {completed.stderr.strip()[:400]}")
    figures = json.loads(line[len(_MARKER) :])
    seconds = max(figures["duration_us"] / 1e6 - ramp_s, 1e-3)
    # wrk counts non-2xx statuses itself; bench.lua counts them again among bad responses.
    kinds = {
        "connect": int(figures["connect_errors"]),
        "read": int(figures["read_errors"]),
        "write": int(figures["write_errors"]),
        "timeout": int(figures["timeouts"]),
        "bad_response": int(figures["bad_responses"]),
    }
    errors = sum(kinds.values())
    requests = int(figures["steady_requests"])
    no_latency = int(figures["requests"]) == 0
    return WrkResult(
        requests=requests,
        total_requests=int(figures["requests"]),
        rps=requests / seconds,
        p50_ms=0.0 if no_latency else figures["p50_us"] / 1000,
        p95_ms=0.0 if no_latency else figures["p95_us"] / 1000,
        p99_ms=0.0 if no_latency else figures["p99_us"] / 1000,
        errors=errors,
        error_kinds={kind: count for kind, count in kinds.items() if count},
        detail={key: float(value) for key, value in figures.items()},
        bad_sample=next(
            (row[len("BENCH_BAD ") :] for row in completed.stderr.splitlines() if row.startswith("BENCH_BAD ")), ""
        ),
    )
