#!/usr/bin/env bash
# `make bench`: FitGraph's router against Apollo Gateway, Hive Gateway (JS and Rust planners)
# and, when it installs, Grafbase — then the planning micro-benchmark. Never part of `make test`.
#
# Installs what it needs: the Python venv (scripts/venv.sh), the pinned npm packages into
# bench/node_modules (npm ci from bench/package-lock.json), and wrk (apt-get) if absent.
# Knobs (environment): BENCH_DURATION (s per run, default 10), BENCH_ROUNDS (3), BENCH_WARMUP (3),
# BENCH_CONNECTIONS (50), BENCH_WRK_THREADS (1), BENCH_GATEWAYS / BENCH_MODES (comma lists),
# BENCH_BASE_PORT (4000: subgraphs on +201..+204, gateways on +301..+305).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

bash scripts/venv.sh

if ! command -v node >/dev/null 2>&1; then
    echo "error: node (20 or newer) is required for the peer gateways and the subgraph fixtures" >&2
    exit 2
fi
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 20 ]; then
    echo "error: node $(node --version) is too old; 20 or newer is required" >&2
    exit 2
fi

# npm ci only when the lock file changed since the last install (npm writes its own copy).
if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    echo "==> npm ci (bench/package-lock.json)"
    (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi

echo "==> gateway benchmark (bench/harness; ${BENCH_DURATION:-10} s per run, ${BENCH_ROUNDS:-3} rounds)"
# The harness ends with the planning micro-benchmark (bench/plan_bench.py) and records both.
"$VENV/bin/python" -m bench.harness
