#!/usr/bin/env bash
# `make test`: install, bring up PostgreSQL + Redis + a SecantusDB MongoDB-wire server, then
# ruff, mypy and the whole pytest suite. Exits non-zero on any failure (pytest's "no tests
# ran", exit 5, included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
bash scripts/ensure_services.sh
VENV="${VENV:-.venv}"

MONGO_PID=""
cleanup() { if [ -n "$MONGO_PID" ]; then kill "$MONGO_PID" 2>/dev/null || true; wait "$MONGO_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [ -z "${MONGODB_URL:-}" ]; then
    MONGO_PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    MONGO_LOG="$(mktemp -t secantusd.XXXXXX.log)"
    "$VENV/bin/secantusd-py" --port "$MONGO_PORT" --storage-path :memory: >"$MONGO_LOG" 2>&1 &
    MONGO_PID=$!
    for _ in $(seq 1 80); do
        if "$VENV/bin/python" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$MONGO_PORT)))"; then break; fi
        sleep 0.25
    done
    export MONGODB_URL="mongodb://127.0.0.1:$MONGO_PORT"
    echo "==> SecantusDB (MongoDB wire) on $MONGODB_URL"
fi

echo "==> ruff"
"$VENV/bin/ruff" check .
echo "==> mypy"
"$VENV/bin/mypy" .
echo "==> pytest"
"$VENV/bin/pytest" "$@"
