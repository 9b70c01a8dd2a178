"""The shop federation (products, reviews, accounts, inventory) shared by several capability
modules; the same subgraphs and supergraph the executor tests use with hand-built plans."""

from __future__ import annotations

from tests.router.executor.scenario import SUPERGRAPH_SDL, make_subgraphs

__all__ = ["SHOP_SUPERGRAPH_BODY", "make_subgraphs"]

# The supergraph without its preamble and graph enum: `federation()` adds both with real URLs.
SHOP_SUPERGRAPH_BODY = SUPERGRAPH_SDL[SUPERGRAPH_SDL.index("type Query") :]
