"""Interface rules of composition: fields an @interfaceObject lends to implementations, keyed
interfaces and their implementations, and interface fields every implementation must have."""

from __future__ import annotations

from collections.abc import Callable

from schema.compose.errors import graph_list
from schema.compose.supermodel import JoinField, SuperField, Supergraph, SuperType

__all__ = ["InterfaceRules"]

Report = Callable[[str, str, list[str], str], None]


class InterfaceRules:
    def __init__(self, supergraph: Supergraph, error: Report) -> None:
        self.supergraph = supergraph
        self.error = error

    def check_keyed_interfaces(self) -> None:
        """A subgraph that can resolve an interface by key must know every implementation, or it
        could not answer `__typename` (Apollo: INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE); one that
        models it as an @interfaceObject must know none (INTERFACE_OBJECT_USAGE_ERROR)."""
        for interface in self.supergraph.types.values():
            if interface.kind != "interface":
                continue
            implementations = [
                t.name
                for t in self.supergraph.types.values()
                if t.kind == "object" and interface.name in t.interfaces
            ]
            for graph, sub_type in interface.per_graph.items():
                if sub_type.interface_object:
                    defined = [n for n in implementations if graph in self.supergraph.types[n].per_graph]
                    if defined:
                        self.error(
                            "INTERFACE_OBJECT_USAGE_ERROR",
                            f'Interface type "{interface.name}" is an @interfaceObject in subgraph "{graph}", so '
                            f"that subgraph must not define its implementation types, but it defines {graph_list(defined)}",
                            [graph],
                            interface.name,
                        )
                    continue
                if not any(resolvable for _, resolvable in sub_type.keys):
                    continue
                missing = _missing_implementations(self.supergraph, interface, graph)
                if missing:
                    self.error(
                        "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                        f'Interface type "{interface.name}" has a resolvable key in subgraph "{graph}" but that '
                        f"subgraph is missing some of its implementation types: {graph_list(missing)} should be "
                        f'defined there and implement "{interface.name}"',
                        [graph],
                        interface.name,
                    )

    def lend_interface_object_fields(self) -> None:
        """Fields an @interfaceObject adds to an interface also appear on its implementations,
        served by no subgraph directly (an empty `@join__field`)."""
        types = self.supergraph.types
        for interface in types.values():
            objects = [g for g, t in interface.per_graph.items() if t.interface_object]
            if interface.kind != "interface" or not objects:
                continue
            for implementation in types.values():
                if interface.name not in implementation.interfaces:
                    continue
                for name, interface_field in interface.fields.items():
                    if name in implementation.fields:
                        continue
                    if not any(name in interface.per_graph[g].fields for g in objects):
                        continue
                    implementation.fields[name] = SuperField(
                        name=name,
                        type=interface_field.type,
                        arguments=interface_field.arguments,
                        description=interface_field.description,
                        directives=list(interface_field.directives),
                        joins=[JoinField()],
                    )

    def check_implementations(self) -> None:
        types = self.supergraph.types
        for implementation in types.values():
            for interface_name in implementation.interfaces:
                interface = types.get(interface_name)
                if interface is None or interface.kind != "interface":
                    continue
                for name in interface.fields:
                    if name not in implementation.fields:
                        self.error(
                            "INTERFACE_FIELD_NO_IMPLEM",
                            f'Interface field "{interface_name}.{name}" is declared in subgraphs '
                            f"{graph_list(g for g, t in interface.per_graph.items() if name in t.fields)} but "
                            f'"{implementation.name}.{name}" is missing: "{implementation.name}" implements '
                            f'"{interface_name}"',
                            implementation.graphs,
                            f"{implementation.name}.{name}",
                        )


def _missing_implementations(supergraph: Supergraph, interface: SuperType, graph: str) -> list[str]:
    implementations = [
        t.name for t in supergraph.types.values() if t.kind == "object" and interface.name in t.interfaces
    ]
    return [
        name
        for name in implementations
        if graph not in supergraph.types[name].per_graph
        or interface.name not in supergraph.types[name].per_graph[graph].interfaces
    ]
