"""Training subgraph benchmark (python -m bench.training)."""
