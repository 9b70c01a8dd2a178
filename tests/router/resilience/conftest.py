"""The real products/reviews subgraphs of the router HTTP tests (tests/router/http/fixtures.py)."""

from tests.router.http.fixtures import fresh_subgraphs, subgraphs

__all__ = ["fresh_subgraphs", "subgraphs"]
