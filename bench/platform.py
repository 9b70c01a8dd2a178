"""Per-core figures of FitGraph's own platform: its first-party operations through the router.

    make dev                                   # in another terminal: router 4000, users 4001, training 4002
    .venv/bin/python -m bench.platform [--duration 10] [--connections 16] [--users 50]

Signs in `--users` demo accounts through the router (the Login operation), then drives each
operation of OPERATIONS with wrk (bench/wrk/tokens.lua: every request with the next user's token,
so nothing is collapsed and each user reads their own data) and reads, from /proc, the CPU time
each process spent: the router, the users subgraph (SQLite embedded in `make dev`), the training
subgraph and SecantusDB. It prints one line per operation,

    PLATFORM operation=<name> rps=<n> p50_ms=<n> p99_ms=<n> errors=<n> router_ms=<n> users_ms=<n> training_ms=<n> mongo_ms=<n>

where `*_ms` is CPU milliseconds per request, i.e. 1000 / `*_ms` requests per core-second of that
process, the figure to size a cluster from (README, "Sizing"), and writes
bench/results/platform-<UTC timestamp>.json. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform as platform_module
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.harness.processes import tree_cpu_seconds, wait_until_idle
from schema.operations.manifest import operation_bodies

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS_DIR = ROOT / "schema" / "operations"
WRK_SCRIPT = ROOT / "bench" / "wrk" / "tokens.lua"
PORTS = {"router": 4000, "users": 4001, "training": 4002}
# (operation name, variables): a profile read, a list of the user's workouts (users → training).
OPERATIONS: tuple[tuple[str, dict[str, Any]], ...] = (("Me", {}), ("MyWorkouts", {"first": 20}))


def _operation_text(name: str) -> str:
    """The operation `name` from schema/operations/*.graphql (the trusted first-party documents),
    with the fragments it uses, as the manifest holds it."""
    bodies = operation_bodies(sorted(OPERATIONS_DIR.glob("*.graphql")))
    if name not in bodies:
        raise SystemExit(f"operation {name} not found in {OPERATIONS_DIR}")
    return bodies[name]


def _listening_pid(port: int) -> int:
    out = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"pid=(\d+)", out)
    if not found:
        raise SystemExit(f"nothing listens on 127.0.0.1:{port}: start `make dev` first")
    return int(found.group(1))


def _mongo_pid() -> int | None:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"secantusd" in command and b".fitgraph" in command:
            return int(entry)
    return None


def _sign_in(router_url: str, count: int) -> list[str]:
    login = _operation_text("Login")
    tokens = []
    with httpx.Client(timeout=30) as client:
        for index in range(1, count + 1):
            variables = {"input": {"email": f"user{index:03d}@fitgraph.dev", "password": "FitGraph-demo-1"}}
            body = client.post(router_url, json={"query": login, "variables": variables}).json()
            if "errors" in body:
                raise SystemExit(f"login of user{index:03d} failed: {body['errors']}")
            tokens.append(body["data"]["login"]["accessToken"])
    return tokens


def _run(router_url: str, body_file: Path, tokens_file: Path, args: argparse.Namespace) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is required (apt-get install wrk, or run `make bench` once)")
    command = [
        wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
        "-s", str(WRK_SCRIPT), router_url.removesuffix("/graphql"),
    ]  # fmt: skip
    environment = {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_TOKENS_FILE": str(tokens_file)}
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    line = next((item for item in completed.stdout.splitlines() if item.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {completed.stderr or completed.stdout}")
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--router", default="http://127.0.0.1:4000/graphql")
    parser.add_argument("--duration", type=int, default=10, help="seconds per operation")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--users", type=int, default=50, help="demo users signed in (user001…)")
    args = parser.parse_args()

    pids = {name: _listening_pid(port) for name, port in PORTS.items()}
    mongo = _mongo_pid()
    if mongo is not None:
        pids["mongo"] = mongo
    tokens = _sign_in(args.router, args.users)
    results = []
    with tempfile.TemporaryDirectory(prefix="fitgraph-platform-") as scratch:
        tokens_file = Path(scratch) / "tokens.txt"
        tokens_file.write_text("\n".join(tokens) + "\n", encoding="utf-8")
        for name, variables in OPERATIONS:
            body_file = Path(scratch) / f"{name}.json"
            body_file.write_text(json.dumps({"query": _operation_text(name), "variables": variables}))
            wait_until_idle(list(pids.values()), max_cores=0.2, timeout_s=30)
            before = {process: tree_cpu_seconds([pid]) for process, pid in pids.items()}
            run = _run(args.router, body_file, tokens_file, args)
            wait_until_idle(list(pids.values()), max_cores=0.2, timeout_s=30)
            after = {process: tree_cpu_seconds([pid]) for process, pid in pids.items()}
            requests = max(1, run["requests"])
            cpu_ms = {
                process: round(1000 * (after[process] - before[process]) / requests, 3) for process in pids
            }
            result = {
                "operation": name,
                "rps": round(run["requests"] / (run["duration_us"] / 1e6), 1),
                "p50_ms": run["p50_us"] / 1000,
                "p99_ms": run["p99_us"] / 1000,
                "errors": run["bad_responses"] + run["socket_errors"],
                "cpu_ms_per_request": cpu_ms,
            }
            results.append(result)
            shown = " ".join(f"{process}_ms={value}" for process, value in cpu_ms.items())
            print(
                f"PLATFORM operation={name} rps={result['rps']} p50_ms={result['p50_ms']} "
                f"p99_ms={result['p99_ms']} errors={result['errors']} {shown}",
                flush=True,
            )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "benchmark": "platform",
        "at": stamp,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform_module.python_version(),
            "load_average_1m": os.getloadavg()[0],
        },
        "settings": vars(args),
        "results": results,
    }
    output = ROOT / "bench" / "results" / f"platform-{stamp}.json"
    output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {output.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
