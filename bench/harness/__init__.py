"""The `make bench` harness: subgraph fixtures, peer gateways, wrk runs and the report."""
