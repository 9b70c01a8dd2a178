"""Supergraph SDL → typed model (join spec) + API schema."""

from __future__ import annotations

from router.supergraph.errors import SupergraphError
from router.supergraph.loader import load_supergraph
from router.supergraph.model import (
    AuthRequirement,
    FieldInfo,
    FieldInGraph,
    KeyInfo,
    SubgraphInfo,
    Supergraph,
    TypeInfo,
    TypeInGraph,
)

__all__ = [
    "AuthRequirement",
    "FieldInGraph",
    "FieldInfo",
    "KeyInfo",
    "SubgraphInfo",
    "Supergraph",
    "SupergraphError",
    "TypeInGraph",
    "TypeInfo",
    "load_supergraph",
]
