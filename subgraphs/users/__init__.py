"""The users subgraph: accounts, sessions and tokens (PostgreSQL, SQLite for dev)."""
