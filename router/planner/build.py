"""Fetch groups -> plan nodes: operation text per fetch, then Sequence/Parallel from the
dependency graph of the groups."""

from __future__ import annotations

from collections.abc import Mapping

from router.planner.aliasing import dealias
from router.planner.groups import FetchGroup
from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    InlineFragmentSelection,
    KeyRenamer,
    ParallelNode,
    PlanNode,
    SequenceNode,
)

__all__ = ["build_node"]


class _Builder:
    def __init__(self, operation_name: str | None, variable_definitions: Mapping[str, str], counter: list[int]) -> None:
        self.operation_name = operation_name
        self.variable_definitions = variable_definitions
        self.counter = counter

    def fetch(self, group: FetchGroup) -> PlanNode:
        index = self.counter[0]
        self.counter[0] += 1
        renames: list[KeyRenamer] = []
        if len(group.entities) == 1:
            # one entity type: rewrite paths start at the entity itself, no __typename needed
            # (an @interfaceObject graph's __typename must never reach the merged data)
            dealias([(c, ()) for c in group.entities.values()], renames)
        elif group.is_entity:
            dealias([(c, (f"... on {t}",)) for t, c in group.entities.items()], renames)
            if renames:
                for container in group.entities.values():
                    container.field("__typename")
        else:
            dealias([(group.root, ())], renames)
        used: set[str] = set()
        selection = group.selection_text(used)
        variables = tuple(sorted(used))
        definitions = [self.variable_definitions[v] for v in variables if v in self.variable_definitions]
        if group.is_entity:
            definitions.insert(0, "$representations: [_Any!]!")
        name = f"{self.operation_name}__{group.graph}__{index}" if self.operation_name else None
        header = group.kind
        if name:
            header += " " + name
        if definitions:
            header += "(" + ", ".join(definitions) + ")"
        requires = None
        if group.is_entity:
            requires = tuple(
                InlineFragmentSelection(type_name, container.to_requires())
                for type_name, container in group.requires.items()
            )
        node = FetchNode(
            subgraph=group.graph,
            operation=header + " " + selection,
            operation_kind=group.kind,  # type: ignore[arg-type]
            operation_name=name,
            variable_usages=variables,
            requires=requires,
            input_rewrites=tuple(group.rewrites.values()),
            output_rewrites=tuple(renames),
            id=index,
        )
        if group.is_entity:
            return FlattenNode(group.flatten_path(), node)
        return node


def _combine(nodes: list[PlanNode], parallel: bool) -> PlanNode | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return ParallelNode(tuple(nodes)) if parallel else SequenceNode(tuple(nodes))


def _guard(node: PlanNode, conditions: frozenset[tuple[str, bool]]) -> PlanNode:
    """Run `node` only when every (variable, include?) condition holds (@include / @skip)."""
    for variable, include in sorted(conditions, reverse=True):
        node = ConditionNode(variable, if_clause=node) if include else ConditionNode(variable, else_clause=node)
    return node


def _is_empty(group: FetchGroup) -> bool:
    return group.is_void()


def build_node(
    groups: list[FetchGroup],
    operation_name: str | None,
    variable_definitions: Mapping[str, str],
    counter: list[int],
) -> PlanNode | None:
    """The plan of one set of groups: a tree when every group only waits for its parent,
    otherwise stages of parallel fetches ordered by dependency depth."""
    builder = _Builder(operation_name, variable_definitions, counter)
    live = [g for g in groups if not _is_empty(g)]
    if all(not (g.deps - {g.parent}) for g in live):
        children: dict[int, list[FetchGroup]] = {}
        roots: list[FetchGroup] = []
        for group in live:
            if group.parent is None:
                roots.append(group)
            else:
                children.setdefault(group.parent.id, []).append(group)

        def tree(group: FetchGroup) -> PlanNode:
            node = builder.fetch(group)
            below = [tree(child) for child in children.get(group.id, ())]
            rest = _combine(below, parallel=True)
            node = node if rest is None else SequenceNode((node, rest))
            inherited = group.parent.condition if group.parent is not None else frozenset()
            return _guard(node, group.condition - inherited)

        return _combine([tree(root) for root in roots], parallel=True)
    depth: dict[int, int] = {}

    def level(group: FetchGroup) -> int:
        known = depth.get(group.id)
        if known is not None:
            return known
        value = 1 + max((level(dep) for dep in group.all_deps()), default=-1)
        depth[group.id] = value
        return value

    stages: dict[int, list[FetchGroup]] = {}
    for group in live:
        stages.setdefault(level(group), []).append(group)
    nodes = [
        _combine([_guard(builder.fetch(g), g.condition) for g in stages[k]], parallel=True)
        for k in sorted(stages)
    ]
    return _combine([n for n in nodes if n is not None], parallel=False)
