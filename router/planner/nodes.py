"""Query plan nodes: pure data shared by the planner (producer) and the executor (consumer).

The shape follows Apollo Federation's query plans (Sequence / Parallel / Fetch / Flatten /
Condition): a plan is a tree, carries no I/O and is safe to cache and share between requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "ConditionNode",
    "FetchNode",
    "FlattenNode",
    "InlineFragmentSelection",
    "FieldSelection",
    "KeyRenamer",
    "ParallelNode",
    "PathElement",
    "PlanNode",
    "QueryPlan",
    "RequiresSelection",
    "SequenceNode",
    "TypeCondition",
    "ValueSetter",
]


@dataclass(frozen=True, slots=True)
class FieldSelection:
    """A field read from fetched data at key `alias or name` and written as `name`."""

    name: str
    alias: str | None = None
    selections: tuple[RequiresSelection, ...] = ()

    @property
    def response_key(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class InlineFragmentSelection:
    """`... on Type { … }`: applies when the object's `__typename` is `type_condition`
    (or any type when it is None)."""

    type_condition: str | None
    selections: tuple[RequiresSelection, ...]


RequiresSelection: TypeAlias = FieldSelection | InlineFragmentSelection


@dataclass(frozen=True, slots=True)
class TypeCondition:
    """A path element that keeps only objects whose `__typename` is one of `types`."""

    types: frozenset[str]


# A Flatten path walks response keys; "@" walks every element of a list.
PathElement: TypeAlias = str | TypeCondition


@dataclass(frozen=True, slots=True)
class ValueSetter:
    """Rewrite: set the value at `path` (keys / "... on T" elements) to `set_value_to`.

    Used for @interfaceObject: representations sent to a graph that models an interface as an
    object must carry the interface's name as `__typename`, and entities coming back must get
    their concrete `__typename` back."""

    path: tuple[str, ...]
    set_value_to: str


@dataclass(frozen=True, slots=True)
class KeyRenamer:
    """Rewrite: rename the key at `path` to `rename_key_to` (e.g. an alias the planner made to
    keep apart two selections of one field with different arguments)."""

    path: tuple[str, ...]
    rename_key_to: str


Rewrite: TypeAlias = ValueSetter | KeyRenamer


@dataclass(frozen=True, slots=True)
class FetchNode:
    """One request to one subgraph.

    Without `requires` it is a root fetch: `operation` is sent as is and its `data` is merged
    at the current path. With `requires` it is an entity fetch: for each object at the
    enclosing Flatten path one representation is built from `requires`, the list is sent as
    the `$representations` variable of `operation` (which selects `_entities`), and each
    returned entity is merged back into the object it came from."""

    subgraph: str
    operation: str
    operation_kind: Literal["query", "mutation", "subscription"] = "query"
    operation_name: str | None = None
    variable_usages: tuple[str, ...] = ()
    requires: tuple[RequiresSelection, ...] | None = None
    input_rewrites: tuple[Rewrite, ...] = ()
    output_rewrites: tuple[Rewrite, ...] = ()
    id: int | None = None


@dataclass(frozen=True, slots=True)
class FlattenNode:
    path: tuple[PathElement, ...]
    node: FetchNode


@dataclass(frozen=True, slots=True)
class SequenceNode:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ParallelNode:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ConditionNode:
    """Branch on a Boolean variable (from @skip/@include on whole fetch groups)."""

    condition: str
    if_clause: PlanNode | None = None
    else_clause: PlanNode | None = None


PlanNode: TypeAlias = FetchNode | FlattenNode | SequenceNode | ParallelNode | ConditionNode


@dataclass(frozen=True, slots=True)
class QueryPlan:
    node: PlanNode | None
    # Fields answered by the router itself (`__typename` on a root type, introspection).
    # The executor fills them during projection; listed here only for plan printing.
    local_fields: tuple[str, ...] = field(default=())
