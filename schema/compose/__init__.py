"""Federation 2 composition: subgraph SDLs → supergraph SDL (link v1.0 + join v0.3)."""

from __future__ import annotations

from schema.compose.compose import CompositionResult, SubgraphInput, compose
from schema.compose.errors import CompositionError, CompositionFailed, CompositionHint

__all__ = [
    "CompositionError",
    "CompositionFailed",
    "CompositionHint",
    "CompositionResult",
    "SubgraphInput",
    "compose",
]
