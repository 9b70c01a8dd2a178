"""Query planning (pure, no I/O): operation + supergraph -> QueryPlan of fetch nodes."""

from __future__ import annotations

from router.planner.graph_index import PlanningError
from router.planner.planner import QueryPlanner
from router.planner.printer import format_plan

__all__ = ["PlanningError", "QueryPlanner", "format_plan"]
