"""Planner test helpers: plan a query over a hand-written supergraph and print it."""

from __future__ import annotations

import textwrap
from functools import lru_cache

from graphql import parse, validate

from router.planner import QueryPlanner, format_plan
from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)
from router.supergraph import Supergraph, load_supergraph

__all__ = ["expected", "fetches", "plan", "plan_text", "planner_for"]


@lru_cache(maxsize=64)
def planner_for(sdl: str) -> tuple[Supergraph, QueryPlanner]:
    supergraph = load_supergraph(sdl)
    return supergraph, QueryPlanner(supergraph)


def plan(sdl: str, query: str, operation_name: str | None = None) -> QueryPlan:
    """Plan `query` (validated against the API schema first, as the engine does)."""
    supergraph, planner = planner_for(sdl)
    document = parse(query)
    errors = validate(supergraph.api_schema, document)
    assert not errors, errors
    return planner.plan(document, operation_name)


def plan_text(sdl: str, query: str, operation_name: str | None = None) -> str:
    return format_plan(plan(sdl, query, operation_name))


def expected(text: str) -> str:
    return textwrap.dedent(text).strip()


def fetches(node: PlanNode | None) -> list[FetchNode]:
    """Every fetch of a plan, in printing order."""
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    if isinstance(node, SequenceNode | ParallelNode):
        return [f for child in node.nodes for f in fetches(child)]
    assert isinstance(node, ConditionNode)
    return fetches(node.if_clause) + fetches(node.else_clause)
