"""Schema tooling: composition (`schema.compose`), supergraph.yaml, schema sources, the API
schema of a supergraph, committed artifacts and cross-checks against other composers."""
