"""Garbage-collector settings for a serving router process.

Why: every request parses subgraph responses into thousands of dicts and lists, and with the
default thresholds (700 container allocations) CPython runs a young collection every few
hundred objects. Under concurrent load (bench `unique` mode, 50 connections) the responses of
in-flight requests survive those collections, get promoted and are scanned again and again:
measured with bench/profile_router.py, cyclic GC was 15–25 % of the router's CPU per request.

`apply_serving_gc_policy()` is called once, after the app (supergraph, schemas, imports) is
built and before serving:
- `gc.freeze()` moves everything allocated at start-up to the permanent generation, so full
  collections no longer traverse the schema, the planner's indexes and every imported module;
- a larger young-generation threshold lets most per-request objects die by reference count
  before a collection ever sees them (they are acyclic trees), at the cost of a few MB of
  not-yet-collected young objects.

Cyclic garbage created later is still collected. A start-up object that becomes garbage later
(the first Engine after a supergraph hot reload) is reclaimed by reference counting as far as
it is acyclic; its cycles stay in the permanent generation (bounded: only start-up objects are
frozen, once).
"""

from __future__ import annotations

import gc

__all__ = ["SERVING_THRESHOLDS", "apply_serving_gc_policy"]

# (young, middle, old): a young collection every 50,000 net container allocations (≈ a dozen
# bench requests) instead of 700; the older generations keep their relative cadence.
SERVING_THRESHOLDS = (50_000, 20, 20)


def apply_serving_gc_policy() -> None:
    """Freeze start-up objects and raise the young-generation threshold (see module doc)."""
    gc.collect()  # start-up garbage goes now, not into the permanent generation
    gc.freeze()
    gc.set_threshold(*SERVING_THRESHOLDS)
