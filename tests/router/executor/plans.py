"""Helpers to hand-build query plans and run them with an Executor (until the planner lands
these are how the executor is tested; afterwards they keep the executor tests planner-free)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from router.executor import Executor
from router.planner.nodes import (
    FetchNode,
    FieldSelection,
    FlattenNode,
    InlineFragmentSelection,
    PathElement,
    QueryPlan,
    RequiresSelection,
)

__all__ = ["entity_fetch", "flatten", "root_fetch", "run_plan"]


def root_fetch(
    subgraph: str, operation: str, *, variables: tuple[str, ...] = (), kind: str = "query"
) -> FetchNode:
    return FetchNode(subgraph=subgraph, operation=operation, operation_kind=kind, variable_usages=variables)  # type: ignore[arg-type]


def entity_fetch(
    subgraph: str,
    typename: str,
    selection: str,
    *,
    key: tuple[str, ...] = ("id",),
    requires: tuple[RequiresSelection, ...] = (),
) -> FetchNode:
    operation = (
        "query($representations:[_Any!]!){_entities(representations:$representations)"
        f"{{...on {typename}{{{selection}}}}}}}"
    )
    fields: tuple[RequiresSelection, ...] = (FieldSelection("__typename"), *(FieldSelection(k) for k in key))
    return FetchNode(
        subgraph=subgraph,
        operation=operation,
        variable_usages=(),
        requires=(InlineFragmentSelection(typename, fields + requires),),
    )


def flatten(path: str | tuple[PathElement, ...], node: FetchNode) -> FlattenNode:
    elements = tuple(path.split(".")) if isinstance(path, str) else path
    return FlattenNode(path=elements, node=node)


async def run_plan(
    executor: Executor,
    plan: QueryPlan,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    compiled = executor.compile(plan)
    return await executor.execute(compiled, operation, fragments, dict(variables or {}), headers=headers)
