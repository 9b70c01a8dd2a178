"""Questions the planner asks about the supergraph (join spec v0.3 semantics, FEDERATION.md §1):
what a graph serves locally (incl. @provides, @external key fields of entity extensions,
@override), and through which entity keys a field can be reached from elsewhere (§2)."""

from __future__ import annotations

from dataclasses import dataclass

from router.planner.selections import Field, Sel, field_set
from router.supergraph.model import FieldInfo, Supergraph

__all__ = ["Hop", "GraphIndex", "PlanningError"]


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One `_entities` jump into `graph`, sending `entity_type` representations built on `key`."""

    graph: str
    entity_type: str
    key: tuple[Sel, ...]
    interface_object: bool


def _named(type_text: str) -> str:
    return type_text.replace("[", "").replace("]", "").replace("!", "").strip()


class GraphIndex:
    """Read-only views over one Supergraph, cached across planning sessions."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.sg = supergraph
        self._order = {name: i for i, name in enumerate(supergraph.graph_order)}
        self._hops: dict[tuple[str, str], tuple[Hop, ...]] = {}

    # -- types and fields -------------------------------------------------------------------

    def order(self, graph: str) -> int:
        return self._order.get(graph, len(self._order))

    def field(self, type_name: str, name: str) -> FieldInfo | None:
        info = self.sg.types.get(type_name)
        return info.fields.get(name) if info is not None else None

    def is_composite(self, type_name: str) -> bool:
        info = self.sg.types.get(type_name)
        return info is not None and info.is_composite

    def is_abstract(self, type_name: str) -> bool:
        info = self.sg.types.get(type_name)
        return info is not None and info.is_abstract

    def applies(self, condition: str | None, type_name: str) -> bool:
        """Does a fragment on `condition` apply to objects of `type_name`?"""
        if condition is None or condition == type_name:
            return True
        if type_name in self.sg.possible_types.get(condition, ()):
            return True
        info = self.sg.types.get(type_name)
        return info is not None and condition in info.interfaces

    def child_type(self, graph: str, type_name: str, name: str) -> str:
        """The field's named type as `graph` declares it (join__field(type:) may narrow it)."""
        info = self.field(type_name, name)
        if info is None:
            raise PlanningError(f"unknown field {type_name}.{name}")
        join = info.joins.get(graph)
        if join is not None and join.type:
            local = _named(join.type)
            if local in self.sg.types:
                return local
        return info.type_name

    def type_text(self, graph: str, type_name: str, name: str) -> str:
        """The field's full type as `graph` declares it (for response-shape conflicts)."""
        info = self.field(type_name, name)
        if info is None:
            return ""
        join = info.joins.get(graph)
        return join.type if join is not None and join.type else info.type_text

    def requires(self, graph: str, type_name: str, name: str) -> tuple[Sel, ...] | None:
        info = self.field(type_name, name)
        join = info.joins.get(graph) if info is not None else None
        if join is None or not join.requires_text:
            return None
        return field_set(join.requires_text)

    def provides(self, graph: str, type_name: str, name: str) -> tuple[Sel, ...] | None:
        info = self.field(type_name, name)
        join = info.joins.get(graph) if info is not None else None
        if join is None or not join.provides_text:
            return None
        return field_set(join.provides_text)

    # -- locality ---------------------------------------------------------------------------

    def provided_field(
        self, provided: tuple[Sel, ...] | None, type_name: str, name: str
    ) -> tuple[Sel, ...] | None:
        """The sub-selection `@provides` guarantees for `name` here, or None if not provided."""
        if not provided:
            return None
        found: list[Sel] = []
        hit = False
        for sel in provided:
            if isinstance(sel, Field):
                if sel.name == name:
                    hit = True
                    found.extend(sel.selections)
            elif self.applies(sel.type_condition, type_name):
                inner = self.provided_field(sel.selections, type_name, name)
                if inner is not None:
                    hit = True
                    found.extend(inner)
        return tuple(found) if hit else None

    def serves(self, graph: str, type_name: str, name: str) -> bool:
        info = self.field(type_name, name)
        if info is None:
            return False
        if graph in info.serving:
            return self.sg.type_in_graph(type_name, graph)
        return self._external_key_field(graph, type_name, name, info)

    def _external_key_field(self, graph: str, type_name: str, name: str, info: FieldInfo) -> bool:
        # An entity *extension* (`extend type` / @extends) marks its key fields @external, yet
        # returns them; a plain Federation 2 type with an @external key field does not.
        join = info.joins.get(graph)
        if join is None or not join.external:
            return False
        tig = self.sg.types[type_name].graphs.get(graph)
        if tig is None or not tig.extension:
            return False
        return any(
            isinstance(sel, Field) and sel.name == name
            for key in tig.keys
            for sel in field_set(key.fields)
        )

    def local(
        self,
        graph: str,
        type_name: str,
        name: str,
        provided: tuple[Sel, ...] | None,
        key_mode: bool = False,
    ) -> tuple[bool, tuple[Sel, ...] | None]:
        """(can `graph` return the field here, sub-selection guaranteed by @provides).

        In `key_mode` (collecting key fields) an overridden copy still counts: the old graph
        keeps it precisely to satisfy keys (`usedOverridden`)."""
        sub = self.provided_field(provided, type_name, name)
        if sub is not None:
            return True, sub
        if self.serves(graph, type_name, name):
            return True, None
        if key_mode:
            info = self.field(type_name, name)
            join = info.joins.get(graph) if info is not None else None
            return join is not None and join.used_overridden, None
        return False, None

    # -- jumps ----------------------------------------------------------------------------

    def candidates(self, type_name: str, name: str) -> tuple[Hop, ...]:
        """Every (graph, entity type, resolvable key) through which `type_name.name` can be
        fetched by an `_entities` call (the type itself, or an @interfaceObject of it)."""
        cache_key = (type_name, name)
        cached = self._hops.get(cache_key)
        if cached is not None:
            return cached
        hops: list[Hop] = []
        info = self.field(type_name, name)
        targets: list[tuple[str, str]] = []
        if info is not None:
            targets.extend((g, type_name) for g in info.serving)
        tinfo = self.sg.types.get(type_name)
        for interface in tinfo.interfaces if tinfo is not None else ():
            iinfo = self.field(interface, name)
            for graph in iinfo.serving if iinfo is not None else ():
                if self.sg.is_interface_object(interface, graph) and all(g != graph for g, _ in targets):
                    targets.append((graph, interface))
        targets.sort(key=lambda t: self.order(t[0]))
        for graph, entity_type in targets:
            hops.extend(self._keys(graph, entity_type))
        result = tuple(hops)
        self._hops[cache_key] = result
        return result

    def _keys(self, graph: str, entity_type: str) -> list[Hop]:
        info = self.sg.types.get(entity_type)
        tig = info.graphs.get(graph) if info is not None else None
        if tig is None:
            return []
        return [
            Hop(graph, entity_type, field_set(key.fields), tig.is_interface_object)
            for key in tig.resolvable_keys
        ]

    def real_interface_candidates(self, interface: str, source: str) -> list[Hop]:
        """Jumps from an @interfaceObject copy of `interface` to graphs where it is a real
        interface with a key: those answer the concrete `__typename`."""
        info = self.sg.types[interface]
        hops: list[Hop] = []
        for graph in self.sg.graph_order:
            tig = info.graphs.get(graph)
            if tig is not None and not tig.is_interface_object and graph != source:
                hops.extend(self._keys(graph, interface))
        return hops
