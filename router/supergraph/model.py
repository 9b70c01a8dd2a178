"""The typed supergraph model: which graph knows / serves / resolves what (join spec v0.1–v0.5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import GraphQLSchema, SelectionSetNode

from router.supergraph.links import SpecNames
from router.supergraph.typekinds import TypeKind

__all__ = [
    "AuthRequirement",
    "FieldInGraph",
    "FieldInfo",
    "KeyInfo",
    "SubgraphInfo",
    "Supergraph",
    "TypeInGraph",
    "TypeInfo",
    "TypeKind",
]


@dataclass(frozen=True, slots=True)
class SubgraphInfo:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """One `@join__type(key:)`: a field set by which a graph can (if resolvable) find the entity."""

    fields: str
    selection: SelectionSetNode
    resolvable: bool = True


@dataclass(slots=True)
class TypeInGraph:
    graph: str
    keys: list[KeyInfo] = field(default_factory=list)
    is_interface_object: bool = False
    extension: bool = False

    @property
    def resolvable_keys(self) -> list[KeyInfo]:
        return [key for key in self.keys if key.resolvable]


@dataclass(slots=True)
class FieldInGraph:
    """One `@join__field(graph: …)` of a field."""

    graph: str
    external: bool = False
    requires: SelectionSetNode | None = None
    requires_text: str | None = None
    provides: SelectionSetNode | None = None
    provides_text: str | None = None
    type: str | None = None
    override: str | None = None
    used_overridden: bool = False


@dataclass(slots=True)
class FieldInfo:
    name: str
    type_name: str  # the named (unwrapped) return type in the supergraph
    list_depth: int
    type_text: str = ""  # the full return type in the supergraph, e.g. "[User!]"
    joins: dict[str, FieldInGraph] = field(default_factory=dict)
    # graphs that resolve the field for clients (not external, not overridden)
    serving: frozenset[str] = frozenset()
    # graphs whose schema contains the field at all (external and overridden included)
    known: frozenset[str] = frozenset()


@dataclass(slots=True)
class TypeInfo:
    name: str
    kind: TypeKind
    graphs: dict[str, TypeInGraph] = field(default_factory=dict)
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    interfaces: tuple[str, ...] = ()
    # graph -> interfaces this type implements in that graph (@join__implements)
    implements: dict[str, frozenset[str]] = field(default_factory=dict)
    members: tuple[str, ...] = ()
    # graph -> union members known in that graph (@join__unionMember)
    union_members: dict[str, frozenset[str]] = field(default_factory=dict)
    # enum value -> graphs that know it (@join__enumValue); empty = every graph
    enum_values: dict[str, frozenset[str]] = field(default_factory=dict)
    inaccessible: bool = False

    @property
    def is_abstract(self) -> bool:
        return self.kind in ("interface", "union")

    @property
    def is_composite(self) -> bool:
        return self.kind in ("object", "interface", "union")


@dataclass(frozen=True, slots=True)
class AuthRequirement:
    """Authorization directives on one schema coordinate ("Type" or "Type.field")."""

    authenticated: bool = False
    # OR of ANDs, as in @requiresScopes(scopes: [[…]]) / @policy(policies: [[…]])
    scopes: tuple[tuple[str, ...], ...] = ()
    policies: tuple[tuple[str, ...], ...] = ()


@dataclass(slots=True)
class Supergraph:
    sdl: str
    graphs: Mapping[str, SubgraphInfo]
    types: dict[str, TypeInfo]
    api_schema: GraphQLSchema
    links: SpecNames
    query_type: str = "Query"
    mutation_type: str | None = None
    subscription_type: str | None = None
    authorization: Mapping[str, AuthRequirement] = field(default_factory=dict)
    # supergraph-wide possible object types of every abstract type
    possible_types: dict[str, frozenset[str]] = field(default_factory=dict)
    graph_order: tuple[str, ...] = ()

    def graph_possible_types(self, graph: str, type_name: str) -> frozenset[str]:
        """Object types `graph` may return for `type_name` (its own view of the schema)."""
        cache_key = (graph, type_name)
        cached = self._possible_cache.get(cache_key)
        if cached is not None:
            return cached
        info = self.types.get(type_name)
        result: frozenset[str]
        if info is None:
            result = frozenset()
        elif info.kind == "object":
            result = frozenset((type_name,))
        elif info.kind == "union":
            members = info.union_members.get(graph)
            if members is None:
                members = frozenset(info.members) if not info.union_members else frozenset()
            result = frozenset(m for m in members if self.type_in_graph(m, graph))
        else:
            found = set()
            for candidate in self.possible_types.get(type_name, frozenset()):
                cinfo = self.types[candidate]
                if not self.type_in_graph(candidate, graph):
                    continue
                if cinfo.implements:
                    if type_name in cinfo.implements.get(graph, frozenset()):
                        found.add(candidate)
                elif type_name in cinfo.interfaces:
                    found.add(candidate)
            result = frozenset(found)
        self._possible_cache[cache_key] = result
        return result

    def type_in_graph(self, type_name: str, graph: str) -> bool:
        info = self.types.get(type_name)
        if info is None:
            return False
        return not info.graphs or graph in info.graphs

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        info = self.types.get(type_name)
        if info is None:
            return False
        tig = info.graphs.get(graph)
        return tig is not None and tig.is_interface_object

    _possible_cache: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
