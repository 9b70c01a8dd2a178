#!/usr/bin/env bash
# Creates .venv and installs FitGraph with its dev extras; reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.fitgraph-installed"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "==> installing FitGraph and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]' 2>&1 | { grep -v -e "is ignored: it is neither" || true; }
    touch "$STAMP"
fi
