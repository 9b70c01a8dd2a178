"""Router CPU per request on the benchmark query, independent of machine load.

    .venv/bin/python -m bench.profile_router [--requests 2000] [--connections 50]
        [--mode unique|identical|single] [--repeat 3] [--warmup 300] [--base-port 5000]
        [--profile py-spy|pyinstrument] [--output DIR]

Starts the bench fixtures (bench/fixtures, one Node process) and FitGraph's router on their own
ports (base+201…204 and base+301; the default base 5000 keeps clear of `make bench`'s 4000),
checks the router's answer against the oracle, then sends exactly `--requests` requests of the
bench query over `--connections` keep-alive connections (`unique`: each with its own
Authorization header, as wrk's `unique` mode) and reads the router's utime+stime from
/proc/<pid>/stat (proc(5)) before and after. CPU time per request hardly depends on what else
the machine does, unlike requests/s, so before/after comparisons of one change are meaningful
on a shared machine. The load client is Python asyncio on raw sockets: its CPU is not counted.

`--profile py-spy` runs the router under `py-spy record` (speedscope JSON + a flat top list of
the hottest frames); `--profile pyinstrument` runs it under pyinstrument (text call tree).
Profilers add overhead: read their CPU figures as relative, not as the router's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness.check import check_gateway
from bench.harness.config import BenchConfig, load_config
from bench.harness.processes import (
    Child,
    RssSampler,
    start_child,
    tree_cpu_seconds,
    wait_for_port,
    wait_until_idle,
)
from bench.harness.run import _busy_ports, _prepare_inputs, _start_subgraphs

__all__ = ["main"]

_MODES = ("unique", "identical", "single")


@dataclasses.dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]


def _request_bytes(port: int, body: bytes, authorization: str | None) -> bytes:
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n"
    )
    if authorization:
        head += f"Authorization: {authorization}\r\n"
    return head.encode() + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(chunks)
            chunks.append(data[:-2])
    raise RuntimeError("response without Content-Length or chunked encoding")


async def _load(
    port: int, body: bytes, mode: str, total: int, connections: int, min_bytes: int
) -> LoadResult:
    """Exactly `total` requests over `connections` keep-alive connections."""
    remaining = total
    latencies: list[float] = []
    errors = 0
    shared = _request_bytes(port, body, None)

    async def connection(index: int) -> None:
        nonlocal remaining, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        counter = 0
        try:
            while remaining > 0:
                remaining -= 1
                counter += 1
                request = (
                    _request_bytes(port, body, f"Bearer prof-{index}-{counter}")
                    if mode == "unique"
                    else shared
                )
                started = time.perf_counter()
                writer.write(request)
                status, payload = await _read_response(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200 or len(payload) < min_bytes or b'"errors"' in payload:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(index) for index in range(connections)))
    return LoadResult(total, errors, time.perf_counter() - started, latencies)


def _router_command(
    config: BenchConfig, supergraph: Path, port: int, profile: str | None, output: Path
) -> list[str]:
    fitgraph = str(config.repo_dir / ".venv" / "bin" / "fitgraph")
    serve = [fitgraph, "router", "--supergraph", str(supergraph), "--host", "127.0.0.1", "--port", str(port)]
    venv_bin = config.repo_dir / ".venv" / "bin"
    if profile == "py-spy":
        py_spy = shutil.which("py-spy", path=str(venv_bin)) or "py-spy"
        speedscope = output / "router.speedscope.json"
        return [
            py_spy,
            "record",
            "--rate",
            "1000",
            "--format",
            "speedscope",
            "-o",
            str(speedscope),
            "--",
            *serve,
        ]
    if profile == "pyinstrument":
        python = str(venv_bin / "python")
        text = output / "router.pyinstrument.txt"
        return [python, "-m", "pyinstrument", "--renderer", "text", "--show-all", "-o", str(text), *serve]
    return serve


def _router_pid(child: Child) -> int:
    """The process that serves: the child itself, or py-spy's child when py-spy wraps it."""
    from bench.harness.processes import _tree_pids

    for pid in _tree_pids([child.pid]):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"router" in cmdline and not any(part.endswith(b"py-spy") for part in cmdline[:1]):
            return pid
    return child.pid


def _top_frames(speedscope: Path, limit: int = 40) -> list[str]:
    """Self and inclusive sample share of the hottest functions of a py-spy speedscope profile
    (py-spy reports one frame per line: lines of one function are summed)."""
    document = json.loads(speedscope.read_text())
    frames = document["shared"]["frames"]

    def label(index: int) -> str:
        frame = frames[index]
        file = str(frame.get("file", "")).replace(str(Path.cwd()) + "/", "")
        for marker in ("site-packages/", "lib/python3"):
            if marker in file:
                file = file.split(marker, 1)[1]
        return f"{frame['name']} ({file})"

    labels = [label(index) for index in range(len(frames))]
    self_counts: dict[str, float] = {}
    total_counts: dict[str, float] = {}
    weight_sum = 0.0
    for profile in document["profiles"]:
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
            weight_sum += weight
            if stack:
                self_counts[labels[stack[-1]]] = self_counts.get(labels[stack[-1]], 0) + weight
            for name in {labels[frame] for frame in stack}:
                total_counts[name] = total_counts.get(name, 0) + weight
    lines = ["self%  total%  function (by self time)"]
    for name, count in sorted(self_counts.items(), key=lambda item: -item[1])[:limit]:
        lines.append(f"{100 * count / weight_sum:5.1f}  {100 * total_counts[name] / weight_sum:6.1f}  {name}")
    lines.append("total%  function (by inclusive time)")
    for name, count in sorted(total_counts.items(), key=lambda item: -item[1])[:limit]:
        lines.append(f"{100 * count / weight_sum:6.1f}  {name}")
    return lines


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_router", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--requests", type=int, default=2000, help="requests per measured repeat (default 2000)"
    )
    parser.add_argument("--connections", type=int, default=50, help="keep-alive connections (default 50)")
    parser.add_argument("--mode", choices=_MODES, default="unique")
    parser.add_argument("--repeat", type=int, default=3, help="measured repeats; the median is reported")
    parser.add_argument("--warmup", type=int, default=300, help="requests before measuring (default 300)")
    parser.add_argument("--base-port", type=int, default=5000, help="subgraphs on +201…+204, router on +301")
    parser.add_argument("--profile", choices=("py-spy", "pyinstrument"), default=None)
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(tempfile.gettempdir()) / "fitgraph-profile",
        help="profiles and logs",
    )
    args = parser.parse_args(argv)
    if args.mode == "single":
        args.connections = 1
    return args


def _run(args: argparse.Namespace, work: Path, output: Path) -> int:
    config = dataclasses.replace(load_config(), base_port=args.base_port)
    port = config.gateway_base_port + 1
    busy = _busy_ports([config.subgraph_base_port + i for i in range(1, 5)] + [port])
    if busy:
        print(f"error: ports already in use: {', '.join(map(str, busy))} (use --base-port)", file=sys.stderr)
        return 2
    supergraph, body_file, expected = _prepare_inputs(config, work)
    body = body_file.read_bytes()
    min_bytes = len(json.dumps(expected, separators=(",", ":")).encode()) // 2
    logs = output / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    children: list[Child] = []
    router_pid = 0
    try:
        subgraphs = _start_subgraphs(config, logs)
        children += subgraphs
        command = _router_command(config, supergraph, port, args.profile, output)
        router = start_child("router", command, cwd=config.repo_dir, log_dir=logs)
        children.append(router)
        problem = wait_for_port(router, port, config.startup_timeout_s)
        if problem:
            print(f"error: router did not start: {problem}", file=sys.stderr)
            return 1
        check = check_gateway(port, body, expected)
        if not check.ok:
            print(f"error: wrong answer from the router: {check.reason}", file=sys.stderr)
            return 1
        router_pid = _router_pid(router)
        subgraph_pids = [child.pid for child in subgraphs]
        print(
            f"router pid {router_pid}; answer ok ({check.size} bytes); mode={args.mode} connections={args.connections}"
        )
        asyncio.run(_load(port, body, args.mode, args.warmup, args.connections, min_bytes))
        wait_until_idle([router_pid, *subgraph_pids])
        per_request: list[float] = []
        for repeat in range(1, args.repeat + 1):
            cpu_before = tree_cpu_seconds([router_pid])
            subgraph_before = tree_cpu_seconds(subgraph_pids)
            with RssSampler(router_pid) as rss:
                result = asyncio.run(_load(port, body, args.mode, args.requests, args.connections, min_bytes))
                wait_until_idle([router_pid, *subgraph_pids])
            cpu_ms = (tree_cpu_seconds([router_pid]) - cpu_before) * 1000 / result.requests
            subgraph_ms = (tree_cpu_seconds(subgraph_pids) - subgraph_before) * 1000 / result.requests
            per_request.append(cpu_ms)
            latencies = sorted(result.latencies_ms)
            print(
                f"repeat {repeat}: {result.requests} requests in {result.seconds:.2f} s "
                f"({result.requests / result.seconds:.0f}/s, loaded machine: indicative only) "
                f"p50={latencies[len(latencies) // 2]:.2f} ms errors={result.errors} "
                f"router_cpu_ms_per_request={cpu_ms:.3f} subgraphs_cpu_ms_per_request={subgraph_ms:.3f} "
                f"router_rss_peak_mb={rss.peak_bytes / 2**20:.1f}"
            )
            if result.errors:
                print(f"error: {result.errors} bad responses", file=sys.stderr)
                return 1
        if not check_gateway(port, body, expected).ok:
            print("error: wrong answer after the load", file=sys.stderr)
            return 1
        print(
            f"PROFILE mode={args.mode} requests={args.requests} connections={args.connections} "
            f"profiler={args.profile or 'none'} router_cpu_ms_per_request_median={statistics.median(per_request):.3f} "
            f"min={min(per_request):.3f}"
        )
    finally:
        if args.profile and router_pid:
            # Stop the router alone (SIGINT: uvicorn shuts down, then Python exits normally, so
            # pyinstrument still writes); py-spy writes its output once its target has exited.
            with contextlib.suppress(ProcessLookupError):
                os.kill(router_pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                children[-1].process.wait(timeout=120)
        for child in reversed(children):
            child.stop(grace_s=30.0)
    if args.profile == "py-spy":
        speedscope = output / "router.speedscope.json"
        if speedscope.exists():
            # Start-up (imports, supergraph load) is in the profile too: it shows as importlib.
            print("\n".join(_top_frames(speedscope)))
            print(f"speedscope profile: {speedscope} (open in https://www.speedscope.app)")
    elif args.profile == "pyinstrument":
        print(f"pyinstrument call tree: {output / 'router.pyinstrument.txt'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with tempfile.TemporaryDirectory(prefix="fitgraph-profile-") as temp:
        output = args.output
        output.mkdir(parents=True, exist_ok=True)
        return _run(args, Path(temp), output)


if __name__ == "__main__":
    sys.exit(main())
