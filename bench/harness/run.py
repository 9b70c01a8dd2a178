"""`make bench`: fixtures up, every gateway checked, interleaved wrk rounds, report.

Order of work:
1. compose the supergraph of the four demo subgraphs and compute the expected answer with an
   independent single-schema oracle (bench/fixtures/expected.mjs);
2. start the subgraph fixtures, then every gateway on its own port; a gateway that does not
   start or does not return the expected response is reported as skipped, never fatal;
3. warm each gateway up, then for each round run every (gateway, mode) once, rotating the
   gateway order between rounds so no gateway always runs first or last;
4. check each gateway's answer again after the load, then print the medians and write JSON.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness.check import check_gateway, normalize
from bench.harness.config import BenchConfig, ConfigError, load_config
from bench.harness.gateways import GatewaySpec, gateway_specs
from bench.harness.processes import (
    Child,
    RssSampler,
    start_child,
    tree_cpu_seconds,
    wait_for_port,
    wait_until_idle,
)
from bench.harness.report import GatewayOutcome, RunSample, machine_info, render, write_json
from bench.harness.wrk import WrkSettings, run_wrk

__all__ = ["main"]

_SUBGRAPHS = ("accounts", "products", "reviews", "inventory")
_DEFAULT_SUBGRAPH_PORT = 4201


def _say(message: str) -> None:
    print(message, flush=True)


def _node(config: BenchConfig, *args: str) -> None:
    subprocess.run(["node", *args], cwd=config.bench_dir, check=True, timeout=120)


def _prepare_inputs(config: BenchConfig, work: Path) -> tuple[Path, Path, Any]:
    """(supergraph path, request body file, normalized expected response)."""
    first_port = config.subgraph_base_port + 1
    # The committed artifact uses the default ports; other ports compose into the work dir.
    supergraph = (
        config.bench_dir / "supergraph.graphql" if first_port == _DEFAULT_SUBGRAPH_PORT else work / "supergraph.graphql"
    )
    _node(config, "fixtures/compose.mjs", "--base-port", str(first_port), "--out", str(supergraph))
    query = (config.bench_dir / "query.graphql").read_text(encoding="utf-8")
    body_file = work / "body.json"
    body_file.write_text(json.dumps({"query": query, "operationName": "Bench"}), encoding="utf-8")
    expected_file = work / "expected.json"
    _node(config, "fixtures/expected.mjs", "--query", "query.graphql", "--out", str(expected_file))
    expected = normalize(json.loads(expected_file.read_text(encoding="utf-8")))
    return supergraph, body_file, expected


def _busy_ports(ports: list[int]) -> list[int]:
    """Ports something already listens on: a leftover process there would answer for ours."""
    busy = []
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(port)
    return busy


def _start_subgraphs(config: BenchConfig, logs: Path) -> list[Child]:
    """The four fixtures: in one Node process (default) or one process each."""
    targets = [(name, config.subgraph_base_port + index) for index, name in enumerate(_SUBGRAPHS, start=1)]
    groups = [targets] if config.fixture_processes == 1 else [[target] for target in targets]
    children: list[Child] = []
    for group in groups:
        label = "subgraphs" if len(group) > 1 else f"subgraph-{group[0][0]}"
        serve = [argument for name, port in group for argument in ("--serve", f"{name}={port}")]
        child = start_child(
            label,
            ["node", "fixtures/serve.mjs", *serve],
            cwd=config.bench_dir,
            log_dir=logs,
            env={"NODE_ENV": "production"},
        )
        children.append(child)
        for name, port in group:
            problem = wait_for_port(child, port, config.startup_timeout_s)
            if problem:
                raise RuntimeError(f"subgraph {name} did not start: {problem}")
    return children


def _start_gateway(
    config: BenchConfig, spec: GatewaySpec, logs: Path, body: bytes, expected: Any, outcome: GatewayOutcome
) -> Child | None:
    if spec.unavailable:
        outcome.skipped = spec.unavailable
        return None
    try:
        child = start_child(spec.name, spec.command, cwd=spec.cwd, log_dir=logs, env=spec.env)
    except OSError as error:
        outcome.skipped = f"cannot start: {error}"
        return None
    deadline = time.monotonic() + config.startup_timeout_s
    problem = wait_for_port(child, spec.port, config.startup_timeout_s)
    check = None
    # A gateway may open its port before its schema is loaded: retry until the startup deadline.
    while problem is None:
        check = check_gateway(spec.port, body, expected, timeout_s=max(1.0, min(15.0, deadline - time.monotonic())))
        if check.ok:
            break
        if not child.alive() or time.monotonic() >= deadline:
            problem = f"wrong answer before measuring: {check.reason}"
        else:
            time.sleep(0.5)
    if problem:
        outcome.skipped = problem.replace("\n", " ")[:500]
        child.stop()
        return None
    outcome.response_bytes = check.size if check else 0
    return child


def _per_response(cpu_seconds: float, responses: int) -> float | None:
    return cpu_seconds * 1000 / responses if responses else None


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _settle(child: Child, subgraphs: list[Child], outcome: GatewayOutcome, label: str) -> None:
    if wait_until_idle([child.pid, *(subgraph.pid for subgraph in subgraphs)]) is None:
        outcome.warnings.append(f"{label}: still busy 60 s after the run (backlog); measured anyway")


def _measure(
    config: BenchConfig,
    running: dict[str, tuple[GatewaySpec, Child]],
    subgraphs: list[Child],
    outcomes: dict[str, GatewayOutcome],
    wrk: WrkSettings,
) -> None:
    names = list(running)
    if config.warmup_s:
        for name in names:
            spec, _ = running[name]
            _say(f"==> warm-up {name} ({config.warmup_s} s)")
            try:
                run_wrk(wrk, spec.port, "identical", config.warmup_s, ramp=False)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                outcomes[name].warnings.append(f"warm-up: {error}")
            _settle(running[name][1], subgraphs, outcomes[name], "warm-up")
    for round_index in range(config.rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            spec, child = running[name]
            outcome = outcomes[name]
            for mode in config.modes:
                if not child.alive():
                    outcome.warnings.append(f"process exited (code {child.process.returncode}) in round {round_index + 1}")
                    break
                subgraph_pids = [subgraph.pid for subgraph in subgraphs]
                gateway_cpu = tree_cpu_seconds([child.pid])
                subgraphs_cpu = tree_cpu_seconds(subgraph_pids)
                try:
                    with RssSampler(child.pid) as sampler:
                        result = run_wrk(wrk, spec.port, mode, config.duration_s)
                    gateway_cpu = tree_cpu_seconds([child.pid]) - gateway_cpu
                    subgraphs_cpu = tree_cpu_seconds(subgraph_pids) - subgraphs_cpu
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    outcome.warnings.append(f"round {round_index + 1} {mode}: {error}")
                    continue
                finally:
                    _settle(child, subgraphs, outcome, f"round {round_index + 1} {mode}")
                if result.bad_sample:
                    outcome.warnings.append(f"round {round_index + 1} {mode}: bad response {result.bad_sample}")
                if result.requests == 0:
                    outcome.warnings.append(
                        f"round {round_index + 1} {mode}: no request completed in {config.duration_s} s"
                    )
                sample = RunSample(
                    round=round_index + 1,
                    requests=result.requests,
                    rps=result.rps,
                    p50_ms=result.p50_ms,
                    p95_ms=result.p95_ms,
                    p99_ms=result.p99_ms,
                    errors=result.errors,
                    rss_mb=sampler.peak_bytes / 2**20,
                    error_kinds=result.error_kinds,
                    gateway_cpu_ms=_per_response(gateway_cpu, result.total_requests),
                    subgraphs_cpu_ms=_per_response(subgraphs_cpu, result.total_requests),
                )
                outcome.samples.setdefault(mode, []).append(sample)
                _say(
                    f"    round {round_index + 1} {name:<18} {mode:<9} rps={sample.rps:9.1f} "
                    f"p50={sample.p50_ms:8.2f} ms p99={sample.p99_ms:8.2f} ms errors={sample.errors} "
                    f"rss={sample.rss_mb:.0f} MB cpu/resp={_ms(sample.gateway_cpu_ms)} ms"
                    + (f" {sample.error_kinds}" if sample.error_kinds else "")
                )


def _planning(config: BenchConfig) -> list[dict[str, str]]:
    """Run bench/plan_bench.py in its own process; echo its lines and parse `key=value` pairs."""
    _say("\n==> planning micro-benchmark (bench/plan_bench.py)")
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.plan_bench"],
            cwd=config.repo_dir,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _say("PLAN not available: timed out")
        return [{"error": "timed out"}]
    rows: list[dict[str, str]] = []
    for line in completed.stdout.splitlines():
        _say(line)
        if line.startswith("PLAN "):
            pairs = dict(token.split("=", 1) for token in line.split()[1:] if "=" in token)
            rows.append({**pairs, "line": line})
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        _say(f"PLAN not available: plan_bench exited with {completed.returncode}: {tail[0]}")
        rows.append({"error": tail[0]})
    return rows


def _run(config: BenchConfig) -> int:
    started = datetime.now(UTC)
    clock = time.monotonic()
    machine = machine_info()
    for tool in ("node", "wrk"):
        if shutil.which(tool) is None:
            _say(f"error: `{tool}` not found (scripts/bench.sh installs it)")
            return 2
    with tempfile.TemporaryDirectory(prefix="fitgraph-bench-") as temp:
        work = Path(temp)
        logs = config.results_dir / "logs"
        shutil.rmtree(logs, ignore_errors=True)  # this run's logs only
        logs.mkdir(parents=True)
        ports = [config.subgraph_base_port + i for i in range(1, len(_SUBGRAPHS) + 1)]
        ports += [spec.port for spec in gateway_specs(config, work / "unused.graphql", work)]
        busy = _busy_ports(ports)
        if busy:
            _say(f"error: ports already in use: {', '.join(map(str, busy))} (set BENCH_BASE_PORT to move them)")
            return 2
        supergraph, body_file, expected = _prepare_inputs(config, work)
        body = body_file.read_bytes()
        expected_bytes = len(json.dumps(expected, separators=(",", ":")).encode())
        _say(f"==> expected response: {expected_bytes} bytes; supergraph {supergraph}")
        children: list[Child] = []
        outcomes: dict[str, GatewayOutcome] = {}
        running: dict[str, tuple[GatewaySpec, Child]] = {}
        try:
            subgraphs = _start_subgraphs(config, logs)
            children += subgraphs
            for spec in gateway_specs(config, supergraph, work):
                outcome = outcomes[spec.name] = GatewayOutcome(name=spec.name, note=spec.note)
                _say(f"==> starting {spec.name} on port {spec.port}")
                child = _start_gateway(config, spec, logs, body, expected, outcome)
                if child is None:
                    _say(f"    skipped: {outcome.skipped}")
                    continue
                children.append(child)
                running[spec.name] = (spec, child)
                _say(f"    ok: identical expected response ({outcome.response_bytes} bytes)")
            wrk = WrkSettings(
                script=config.bench_dir / "wrk" / "bench.lua",
                body_file=body_file,
                min_bytes=expected_bytes // 2,
                threads=config.wrk_threads,
                connections=config.connections,
                ramp_s=config.ramp_s,
            )
            if running:
                _measure(config, running, subgraphs, outcomes, wrk)
            for name, (spec, child) in running.items():
                recheck = check_gateway(spec.port, body, expected) if child.alive() else None
                if recheck is None or not recheck.ok:
                    reason = recheck.reason if recheck else "process exited"
                    outcomes[name].warnings.append(f"re-check after load failed: {reason}")
        finally:
            for child in reversed(children):
                child.stop()
    ordered = list(outcomes.values())
    _say("")
    for line in render(ordered, config.modes):
        _say(line)
    for outcome in ordered:
        for warning in outcome.warnings:
            _say(f"WARNING gateway={outcome.name}: {warning}")
    planning = _planning(config)
    elapsed = time.monotonic() - clock
    path = write_json(
        config,
        ordered,
        started=started,
        machine=machine,
        response_bytes=expected_bytes,
        elapsed_s=elapsed,
        planning=planning,
    )
    _say(f"\nCPU: {machine['cpu_model']} x{machine['cpus']}; wrote {path.relative_to(config.repo_dir)} in {elapsed:.0f} s")
    return 0


def main() -> int:
    try:
        config = load_config()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return _run(config)
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
