"""`python -m bench.harness`: run the gateway benchmark (see bench/harness/run.py)."""

from __future__ import annotations

import sys

from bench.harness.run import main

sys.exit(main())
