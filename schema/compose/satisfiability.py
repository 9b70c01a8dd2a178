"""A reachability check standing in for Apollo's satisfiability validation (SATISFIABILITY_ERROR).

The query planner walks states (type, subgraph): it follows fields a subgraph serves and jumps
to another subgraph only through a resolvable @key whose fields the current subgraph can
produce (Apollo Federation docs, "Satisfiability"). Every field of every type reachable in a
state must be resolvable from that state, directly or through such jumps. @requires and
@provides are treated optimistically (a simplification: fewer, never spurious, errors).
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache

from graphql import FieldNode

from schema.compose.errors import CompositionError
from schema.compose.fieldsets import named_type, parse_field_set
from schema.compose.supermodel import SuperField, Supergraph, SuperType

__all__ = ["check_satisfiability"]

_State = tuple[str, str]  # (type name, subgraph name)


@lru_cache(maxsize=4096)
def _top_level(fields: str) -> frozenset[str]:
    selection_set = parse_field_set(fields)
    if selection_set is None:
        return frozenset()
    return frozenset(s.name.value for s in selection_set.selections if isinstance(s, FieldNode))


class _Checker:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.types = supergraph.types

    def serves(self, super_type: SuperType, field: SuperField, graph: str) -> bool:
        if field.joins is None:
            return graph in super_type.per_graph
        for join in field.joins:
            if join.graph == graph and not join.used_overridden:
                if not join.external:
                    return True
                # An external field is still known where it is part of the subgraph's own key (the
                # representation carries it) or where some @provides in the subgraph names it.
                own = self.supergraph.subgraphs[graph].types.get(super_type.name)
                own_field = own.fields.get(field.name) if own is not None else None
                return bool(own_field and (own_field.used_in_key or own_field.provided))
        return False

    def can_produce(self, type_name: str, graph: str, fields: str) -> bool:
        sub_type = self.supergraph.subgraphs[graph].types.get(type_name)
        if sub_type is None:
            return False
        return all(
            n in sub_type.fields and (not sub_type.fields[n].external or sub_type.fields[n].used_in_key)
            for n in _top_level(fields)
        )

    def jumps(self, state: _State) -> list[_State]:
        type_name, graph = state
        super_type = self.types[type_name]
        targets = [type_name, *super_type.interfaces]
        result: list[_State] = []
        for target_name in targets:
            target = self.types.get(target_name)
            if target is None:
                continue
            for other, sub_type in target.per_graph.items():
                if other == graph or (target_name != type_name and not sub_type.interface_object):
                    continue
                if any(
                    resolvable and self.can_produce(type_name, graph, k) for k, resolvable in sub_type.keys
                ):
                    result.append((target_name, other))
        return result

    def closure(self, states: frozenset[_State]) -> frozenset[_State]:
        """Every state a plan can be in at one API position: the given ones plus @key jumps."""
        seen = set(states)
        queue = deque(states)
        while queue:
            for nxt in self.jumps(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return frozenset(seen)

    def _field_owner(self, state: _State, field_name: str) -> tuple[SuperType, SuperField] | None:
        owner = self.types[state[0]]
        field = owner.fields.get(field_name)
        if field is None or not self.serves(owner, field, state[1]):
            return None
        return owner, field

    def _next_positions(
        self, api_type: SuperType, field: SuperField, servers: list[_State]
    ) -> list[frozenset[_State]]:
        """The API positions below `field`: its type, and for an abstract type each possible type."""
        target = self.types.get(named_type(field.type))
        if target is None or target.kind not in ("object", "interface", "union"):
            return []
        if any(d.name == "inaccessible" for d in target.directives):
            return []
        graphs = [g for _, g in servers if g in target.per_graph]
        positions = [frozenset((target.name, g) for g in graphs)] if graphs else []
        if target.kind != "object":
            for possible in self._possible_types(target):
                known = [
                    g
                    for g in graphs
                    if possible.name in target.per_graph[g].members
                    or (g in possible.per_graph and target.name in possible.per_graph[g].interfaces)
                ]
                if known:
                    positions.append(frozenset((possible.name, g) for g in known))
        return positions

    def _possible_types(self, abstract: SuperType) -> list[SuperType]:
        if abstract.kind == "union":
            return [self.types[m] for m in abstract.members if m in self.types]
        return [t for t in self.types.values() if t.kind == "object" and abstract.name in t.interfaces]

    def run(self) -> list[CompositionError]:
        """Walk API positions (sets of alternative states), as Apollo's satisfiability does: a
        field is fine at a position when at least one alternative plan can resolve it."""
        start = [
            frozenset((root, g) for g in self.types[root].per_graph)
            for root in self.supergraph.roots.values()
            if root in self.types
        ]
        seen = set(start)
        queue = deque(start)
        errors: list[CompositionError] = []
        reported: set[str] = set()
        while queue:
            position = queue.popleft()
            options = self.closure(position)
            api_type = self.types[next(iter(position))[0]]
            for field in api_type.fields.values():
                if any(d.name == "inaccessible" for d in field.directives):
                    continue  # not in the API schema: no client query can reach it
                servers = [st for st in options if self._field_owner(st, field.name) is not None]
                coordinate = f"{api_type.name}.{field.name}"
                if not servers:
                    if coordinate not in reported:
                        reported.add(coordinate)
                        errors.append(self._error(api_type, field, sorted({g for _, g in position})))
                    continue
                for nxt in self._next_positions(api_type, field, servers):
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
        return errors

    def _error(self, super_type: SuperType, field: SuperField, graphs: list[str]) -> CompositionError:
        coordinate = f"{super_type.name}.{field.name}"
        servers = sorted(g for g in self.supergraph.subgraphs if self.serves(super_type, field, g))
        named = ", ".join(f'"{g}"' for g in servers) or "none"
        reached = ", ".join(f'"{g}"' for g in graphs)
        keys = [(g, r) for g, t in super_type.per_graph.items() for _, r in t.keys]
        if keys and not any(r for _, r in keys):
            holders = ", ".join(f'"{g}"' for g in sorted({g for g, _ in keys}))
            reason = (
                f'no subgraph can resolve entity "{super_type.name}": every @key (in {holders}) is '
                "resolvable: false"
            )
        else:
            reason = f"no resolvable @key whose fields {reached} can provide leads there"
        return CompositionError(
            "SATISFIABILITY_ERROR",
            f'The field "{coordinate}" cannot be resolved when "{super_type.name}" is reached through subgraph(s) '
            f"{reached}: it is served only by subgraphs {named} and {reason}",
            tuple(sorted({*graphs, *servers})),
            (coordinate,),
        )


def check_satisfiability(supergraph: Supergraph) -> list[CompositionError]:
    return _Checker(supergraph).run()
