"""Training subgraph benchmark: requests/s of `me { workouts(first: 20) }` as the router sends it.

    .venv/bin/python -m bench.training [--duration 10] [--connections 32] [--users 50]

1. starts SecantusDB (`secantusd-py --storage-path :memory:`) and loads the demo data
   (300 users x 24 workouts, the newest 8 of each with samples);
2. starts the subgraph as ONE uvicorn worker (`fitgraph subgraph training`: uvloop + httptools),
   verifying tokens with a key ring written to a temporary directory;
3. checks one answer, then drives it with wrk: every request is the router's entity fetch
   `_entities(representations: [{__typename: "User", id}]) { ... on User { workouts(first: 20) { … } } }`
   for one of `--users` demo users, with that user's own bearer token (so PRIVATE workouts count);
4. prints requests/s (one server process = one core), latency percentiles, and writes
   bench/results/training-<timestamp>.json. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from subgraphs.training.demo import demo_owner_ids, load_demo_data
from subgraphs.training.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUERY = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User {
      workouts(first: 20) {
        edges { cursor node { id sport startTime durationS distanceM avgHeartRate visibility avgPaceSPerKm } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""
_LUA = """
local bodies = {%s}
local tokens = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local i = (counter %% #bodies) + 1
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. tokens[i]
  return wrk.format("POST", "/graphql", nil, bodies[i])
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH_ERRORS %%d\\n", errors))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _parse_wrk(output: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_second"] = float(rps.group(1)) if rps else None
    for percentile in ("50", "75", "90", "99"):
        found = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            result[f"p{percentile}_ms"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"BENCH_ERRORS (\d+)", output)
    result["errors"] = int(errors.group(1)) if errors else None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "32")))
    parser.add_argument("--users", type=int, default=50, help="distinct demo users in the request mix")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is required (apt-get install wrk)")
    bin_dir = Path(sys.executable).parent
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="fitgraph-bench-") as workdir:
        try:
            mongo_port, port = _free_port(), _free_port()
            processes.append(
                subprocess.Popen(
                    [str(bin_dir / "secantusd-py"), "--port", str(mongo_port), "--storage-path", ":memory:"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            _wait(mongo_port)
            mongodb_url = f"mongodb://127.0.0.1:{mongo_port}"
            started = time.monotonic()
            asyncio.run(load_demo_data(Settings(mongodb_url=mongodb_url, mongodb_database="fitgraph_bench")))
            print(f"demo data loaded in {time.monotonic() - started:.1f} s")
            keys_dir = Path(workdir) / "keys"
            ring = KeyRing.ephemeral()
            ring.write_active_to_directory(keys_dir)
            settings = Settings()
            issuer = TokenIssuer(ring, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_seconds=3600)
            env = {
                **os.environ,
                "FITGRAPH_TRAINING_MONGODB_URL": mongodb_url,
                "FITGRAPH_TRAINING_MONGODB_DATABASE": "fitgraph_bench",
                "FITGRAPH_TRAINING_JWT_KEYS_DIR": str(keys_dir),
                "FITGRAPH_TRAINING_PORT": str(port),
                "FITGRAPH_TRAINING_LOG_LEVEL": "WARNING",
            }
            env.pop("FITGRAPH_TRAINING_REDIS_URL", None)
            log = (Path(workdir) / "training.log").open("wb")
            processes.append(
                subprocess.Popen([str(bin_dir / "fitgraph"), "subgraph", "training"], env=env, stdout=log, stderr=log)
            )
            _wait(port)
            users = demo_owner_ids()[: args.users]
            tokens = [issuer.issue(user, roles=["user"]) for user in users]
            bodies = [
                json.dumps({"query": QUERY, "variables": {"representations": [{"__typename": "User", "id": user}]}})
                for user in users
            ]
            check = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                content=bodies[0],
                headers={"content-type": "application/json", "authorization": f"Bearer {tokens[0]}"},
            ).json()
            edges = check["data"]["_entities"][0]["workouts"]["edges"]
            if check.get("errors") or not edges:
                sys.exit(f"unexpected answer: {json.dumps(check)[:500]}")
            print(f"check: {len(edges)} workouts for {users[0]}")
            script = Path(workdir) / "training.lua"
            script.write_text(
                _LUA % (",".join(_lua_string(b) for b in bodies), ",".join(_lua_string(t) for t in tokens))
            )
            url = f"http://127.0.0.1:{port}"
            subprocess.run(["wrk", "-t1", "-c8", "-d3s", "-s", str(script), url], capture_output=True, check=True)
            database_pid, subgraph_pid = processes[0].pid, processes[1].pid
            cpu_before = (_cpu_seconds(subgraph_pid), _cpu_seconds(database_pid))
            completed = subprocess.run(
                ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", str(script), url],
                capture_output=True,
                text=True,
                check=True,
            )
            result = _parse_wrk(completed.stdout)
            subgraph_cpu = _cpu_seconds(subgraph_pid) - cpu_before[0]
            database_cpu = _cpu_seconds(database_pid) - cpu_before[1]
            requests = (result["requests_per_second"] or 0.0) * args.duration
            result["subgraph_cpu_s"] = round(subgraph_cpu, 2)
            result["database_cpu_s"] = round(database_cpu, 2)
            # Requests per second of subgraph CPU: the figure that sizes replicas (DESIGN §6).
            result["requests_per_subgraph_cpu_second"] = round(requests / subgraph_cpu, 1) if subgraph_cpu else None
            report = {
                "benchmark": "training.me_workouts_first_20",
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    # Other work on the same cores lowers the wall-clock figure, not the CPU one.
                    "load_average_1m": round(os.getloadavg()[0], 2),
                },
                "settings": {"duration_s": args.duration, "connections": args.connections, "users": args.users},
                "server": "1 uvicorn worker (uvloop, httptools) = 1 core",
                **result,
            }
            print(completed.stdout)
            print(
                f"RESULT training me.workouts(first:20): {result['requests_per_second']} requests/s per core, "
                f"p50 {result.get('p50_ms')} ms, p99 {result.get('p99_ms')} ms, errors {result['errors']}; "
                f"CPU s subgraph {result['subgraph_cpu_s']} / database {result['database_cpu_s']} "
                f"-> {result['requests_per_subgraph_cpu_second']} requests per subgraph CPU second"
            )
            out_dir = ROOT / "bench" / "results"
            out_dir.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            (out_dir / f"training-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
        finally:
            for process in reversed(processes):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    main()
