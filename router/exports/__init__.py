"""BI exports (issue 5): `GET /exports/{name}.{csv|ndjson|parquet}` runs a named export query,
pages through its cursor connection and streams the rows."""
