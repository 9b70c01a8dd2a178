"""The composed supergraph before printing: merged types plus where each element lives."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import DirectiveDefinitionNode, TypeNode, ValueNode

from schema.compose.model import (
    AppliedDirective,
    SubArgument,
    SubEnumValue,
    SubField,
    SubgraphSchema,
    SubType,
    TypeKind,
)

__all__ = [
    "Graph",
    "JoinField",
    "SuperArgument",
    "SuperEnumValue",
    "SuperField",
    "SuperType",
    "Supergraph",
]


@dataclass(frozen=True)
class Graph:
    name: str
    url: str
    enum_value: str


@dataclass
class JoinField:
    """One `@join__field` (join v0.3): absent `graph` means "served by no subgraph directly"."""

    graph: str | None = None
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False


class SuperArgument(SubArgument):
    """A merged argument: the same data as a subgraph's (type, default, description, directives)."""


@dataclass
class SuperField:
    name: str
    type: TypeNode
    arguments: dict[str, SuperArgument] = field(default_factory=dict)
    description: str | None = None
    directives: list[AppliedDirective] = field(default_factory=list)
    default: ValueNode | None = None
    per_graph: dict[str, SubField] = field(default_factory=dict)
    # Graphs that actually resolve the field (not external, not overridden away).
    resolving: list[str] = field(default_factory=list)
    joins: list[JoinField] | None = None


@dataclass
class SuperEnumValue(SubEnumValue):
    """A merged enum value and the subgraphs that define it."""

    graphs: list[str] = field(default_factory=list)


@dataclass
class SuperType:
    name: str
    kind: TypeKind
    description: str | None = None
    per_graph: dict[str, SubType] = field(default_factory=dict)
    fields: dict[str, SuperField] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, SuperEnumValue] = field(default_factory=dict)
    directives: list[AppliedDirective] = field(default_factory=list)

    @property
    def graphs(self) -> list[str]:
        return list(self.per_graph)


@dataclass
class Supergraph:
    graphs: list[Graph]
    subgraphs: dict[str, SubgraphSchema]
    types: dict[str, SuperType] = field(default_factory=dict)
    roots: dict[str, str] = field(default_factory=dict)
    # Composed custom directives: name -> (spec url, definition).
    composed_directives: dict[str, tuple[str, DirectiveDefinitionNode]] = field(default_factory=dict)
    # Canonical feature directive name -> the name it is printed under (a consistent `import: as`).
    directive_names: dict[str, str] = field(default_factory=dict)

    def is_possible(self, abstract: str, candidate: str) -> bool:
        """Is `candidate` a member/implementation of abstract type `abstract`?"""
        target = self.types.get(abstract)
        found = self.types.get(candidate)
        if target is None or found is None:
            return _possible_in_subgraphs(self.subgraphs, abstract, candidate)
        if target.kind == "union":
            return candidate in target.members
        if target.kind == "interface":
            return abstract in found.interfaces
        return False


def _possible_in_subgraphs(subgraphs: dict[str, SubgraphSchema], abstract: str, candidate: str) -> bool:
    for subgraph in subgraphs.values():
        target, found = subgraph.types.get(abstract), subgraph.types.get(candidate)
        if target is not None and candidate in target.members:
            return True
        if found is not None and abstract in found.interfaces:
            return True
    return False
