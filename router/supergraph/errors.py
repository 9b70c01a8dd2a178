"""The one error type of supergraph loading."""

from __future__ import annotations

__all__ = ["SupergraphError"]


class SupergraphError(ValueError):
    """The SDL is not a supergraph this router can run (invalid, or needs an unknown spec)."""
