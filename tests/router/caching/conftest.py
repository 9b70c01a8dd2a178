"""Shared fixtures: the products/reviews subgraphs of tests/router/http on loopback."""

from tests.router.http.fixtures import fresh_subgraphs, subgraphs

__all__ = ["fresh_subgraphs", "subgraphs"]
