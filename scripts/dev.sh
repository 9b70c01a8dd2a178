#!/usr/bin/env bash
# `make dev`: install and start the whole platform on embedded defaults with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
exec "${VENV:-.venv}/bin/fitgraph" dev "$@"
