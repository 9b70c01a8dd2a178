"""`format_plan(plan)`: a human-readable, Apollo-like rendering of a QueryPlan."""

from __future__ import annotations

from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FieldSelection,
    FlattenNode,
    InlineFragmentSelection,
    KeyRenamer,
    ParallelNode,
    PathElement,
    PlanNode,
    QueryPlan,
    RequiresSelection,
    SequenceNode,
    TypeCondition,
    ValueSetter,
)

__all__ = ["format_path", "format_plan", "format_selections"]

_INDENT = "  "


def format_path(path: tuple[PathElement, ...]) -> str:
    parts: list[str] = []
    for element in path:
        if isinstance(element, TypeCondition):
            condition = "|[" + ",".join(sorted(element.types)) + "]"
            if parts:
                parts[-1] += condition
            else:
                parts.append(condition)
        else:
            parts.append(element)
    return ".".join(parts)


def format_selections(selections: tuple[RequiresSelection, ...]) -> str:
    parts: list[str] = []
    for selection in selections:
        if isinstance(selection, FieldSelection):
            text = f"{selection.alias}: {selection.name}" if selection.alias else selection.name
            if selection.selections:
                text += " " + format_selections(selection.selections)
        else:
            assert isinstance(selection, InlineFragmentSelection)
            text = "..."
            if selection.type_condition:
                text += " on " + selection.type_condition
            text += " " + format_selections(selection.selections)
        parts.append(text)
    return "{ " + " ".join(parts) + " }"


def _rewrite(rewrite: ValueSetter | KeyRenamer) -> str:
    path = ".".join(rewrite.path)
    if isinstance(rewrite, ValueSetter):
        return f"{path} = {rewrite.set_value_to!r}"
    return f"{path} -> {rewrite.rename_key_to!r}"


def _fetch(node: FetchNode, depth: int) -> list[str]:
    pad = _INDENT * depth
    lines = [f'{pad}Fetch(service: "{node.subgraph}") {{']
    if node.requires is not None:
        lines.append(f"{pad}{_INDENT}{format_selections(node.requires)} =>")
    for rewrite in node.input_rewrites:
        lines.append(f"{pad}{_INDENT}input {_rewrite(rewrite)}")
    lines.append(f"{pad}{_INDENT}{node.operation}")
    for rewrite in node.output_rewrites:
        lines.append(f"{pad}{_INDENT}output {_rewrite(rewrite)}")
    lines.append(f"{pad}}},")
    return lines


def _node(node: PlanNode, depth: int) -> list[str]:
    pad = _INDENT * depth
    if isinstance(node, FetchNode):
        return _fetch(node, depth)
    if isinstance(node, FlattenNode):
        return [
            f'{pad}Flatten(path: "{format_path(node.path)}") {{',
            *_fetch(node.node, depth + 1),
            f"{pad}}},",
        ]
    if isinstance(node, SequenceNode | ParallelNode):
        name = "Sequence" if isinstance(node, SequenceNode) else "Parallel"
        lines = [f"{pad}{name} {{"]
        for child in node.nodes:
            lines.extend(_node(child, depth + 1))
        lines.append(f"{pad}}},")
        return lines
    assert isinstance(node, ConditionNode)
    lines = [f"{pad}Condition(if: ${node.condition}) {{"]
    if node.if_clause is not None:
        lines.append(f"{pad}{_INDENT}Then {{")
        lines.extend(_node(node.if_clause, depth + 2))
        lines.append(f"{pad}{_INDENT}}}")
    if node.else_clause is not None:
        lines.append(f"{pad}{_INDENT}Else {{")
        lines.extend(_node(node.else_clause, depth + 2))
        lines.append(f"{pad}{_INDENT}}}")
    lines.append(f"{pad}}},")
    return lines


def format_plan(plan: QueryPlan) -> str:
    lines = ["QueryPlan {"]
    if plan.node is not None:
        lines.extend(_node(plan.node, 1))
    lines.append("}")
    return "\n".join(lines)
