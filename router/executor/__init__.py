"""Runs query plans: fetches, flatten, merge, projection, null propagation, errors (DESIGN §3)."""

from __future__ import annotations

from router.executor.executor import CompiledPlan, Executor

__all__ = ["CompiledPlan", "Executor"]
