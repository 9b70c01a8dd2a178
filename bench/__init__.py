"""FitGraph benchmarks: the gateway comparison harness and the planning micro-benchmark.

Never part of `make test`; run with `make bench` (see bench/README.md).
"""
