"""Shared router fixtures: two real subgraphs on loopback (see tests/router/http/fixtures.py)."""

from tests.router.http.fixtures import fresh_subgraphs, subgraphs

__all__ = ["fresh_subgraphs", "subgraphs"]
