"""Merge normalised subgraphs into a `Supergraph` (Apollo Federation 2 merge rules)."""

from __future__ import annotations

import re

from schema.compose.directives import merge_applied, merge_description
from schema.compose.errors import CompositionError, CompositionHint, graph_list
from schema.compose.fieldsets import named_type
from schema.compose.input_values import INPUT_FIELD, merge_input_value
from schema.compose.interfaces import InterfaceRules
from schema.compose.merge_fields import FieldMerger
from schema.compose.model import SubgraphSchema
from schema.compose.subgraph import CARRIED_DIRECTIVES
from schema.compose.supermodel import (
    Graph,
    JoinField,
    SuperEnumValue,
    SuperField,
    Supergraph,
    SuperType,
)
from schema.compose.typerefs import type_string

__all__ = ["graph_enum_values", "merge_subgraphs"]


def graph_enum_values(names: list[str]) -> dict[str, str]:
    """Subgraph name -> `join__Graph` enum value: upper-cased, non-name characters to `_`,
    collisions suffixed `_1`, `_2` … (what Apollo's composition does)."""
    result: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
        if not base or base[0].isdigit():
            base = "_" + base
        value, counter = base, 0
        while value in used:
            counter += 1
            value = f"{base}_{counter}"
        used.add(value)
        result[name] = value
    return result


class _Merger:
    def __init__(self, subgraphs: list[SubgraphSchema]) -> None:
        enum_values = graph_enum_values([s.name for s in subgraphs])
        self.supergraph = Supergraph(
            graphs=[Graph(s.name, s.url, enum_values[s.name]) for s in subgraphs],
            subgraphs={s.name: s for s in subgraphs},
        )
        self.errors: list[CompositionError] = []
        self.hints: list[CompositionHint] = []
        self.inputs: set[str] = set()
        self.outputs: set[str] = set()

    def error(self, code: str, message: str, graphs: list[str], coordinate: str) -> None:
        self.errors.append(CompositionError(code, message, tuple(graphs), (coordinate,)))

    def run(self) -> Supergraph:
        self._collect()
        fields = FieldMerger(self.supergraph, self.errors, self.hints)
        # Interfaces and union members first: field type merging asks about possible types.
        for super_type in self.supergraph.types.values():
            super_type.description = merge_description(t.description for t in super_type.per_graph.values())
            super_type.directives = merge_applied(t.directives for t in super_type.per_graph.values())
            for sub_type in super_type.per_graph.values():
                super_type.interfaces.extend(i for i in sub_type.interfaces if i not in super_type.interfaces)
                super_type.members.extend(m for m in sub_type.members if m not in super_type.members)
        for super_type in self.supergraph.types.values():
            if super_type.kind in ("object", "interface"):
                names: list[str] = []
                for sub_type in super_type.per_graph.values():
                    names.extend(n for n in sub_type.fields if n not in names)
                super_type.fields = {name: fields.merge(super_type, name) for name in names}
            elif super_type.kind == "input":
                self._merge_input(super_type)
        # Enums last: whether one is an input or output type is read off the merged supergraph
        # (an argument that did not survive merging does not make its enum an input).
        self._usages()
        for super_type in self.supergraph.types.values():
            if super_type.kind == "enum":
                self._merge_enum(super_type)
        interfaces = InterfaceRules(self.supergraph, self.error)
        interfaces.lend_interface_object_fields()
        interfaces.check_keyed_interfaces()
        interfaces.check_implementations()
        for operation in ("query", "mutation", "subscription"):
            root = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}[operation]
            if root in self.supergraph.types:
                self.supergraph.roots[operation] = root
        query = self.supergraph.types.get("Query")
        if query is None or not query.fields:
            self.error("NO_QUERIES", "No subgraph defines a Query root type with fields", [], "Query")
        self._directive_names()
        for subgraph in self.supergraph.subgraphs.values():
            for name, url in subgraph.composed_directives.items():
                definition = subgraph.directive_definitions.get(name)
                if definition is not None:
                    self.supergraph.composed_directives.setdefault(name, (url, definition))
        return self.supergraph

    def _directive_names(self) -> None:
        """A feature directive keeps the name subgraphs import it under; they must agree."""
        names: dict[str, dict[str, str]] = {}
        for subgraph in self.supergraph.subgraphs.values():
            for canonical, local in subgraph.imported_directives.items():
                if canonical in CARRIED_DIRECTIVES:
                    names.setdefault(canonical, {})[subgraph.name] = local
        for canonical, by_graph in names.items():
            locals_ = sorted(set(by_graph.values()))
            if len(locals_) > 1:
                self.error(
                    "LINK_IMPORT_NAME_MISMATCH",
                    f'The "@{canonical}" directive is imported with mismatched names between subgraphs: '
                    + ", ".join(f'"@{local}" in subgraph "{graph}"' for graph, local in by_graph.items()),
                    list(by_graph),
                    f"@{canonical}",
                )
            self.supergraph.directive_names[canonical] = by_graph[next(iter(by_graph))]

    def _collect(self) -> None:
        types = self.supergraph.types
        for subgraph in self.supergraph.subgraphs.values():
            for sub_type in subgraph.types.values():
                kind = "interface" if sub_type.interface_object else sub_type.kind
                existing = types.get(sub_type.name)
                if existing is None:
                    types[sub_type.name] = SuperType(sub_type.name, kind)
                elif existing.kind != kind:
                    self.error(
                        "TYPE_KIND_MISMATCH",
                        f'Type "{sub_type.name}" has mismatched kinds: it is defined as '
                        + ", ".join(
                            f'{"interface object" if t.interface_object else t.kind} in subgraph "{g}"'
                            for g, t in [*existing.per_graph.items(), (subgraph.name, sub_type)]
                        ),
                        [*existing.per_graph, subgraph.name],
                        sub_type.name,
                    )
                    continue
                types[sub_type.name].per_graph[subgraph.name] = sub_type
        for super_type in types.values():
            objects = [g for g, t in super_type.per_graph.items() if t.interface_object]
            if objects and all(t.interface_object for t in super_type.per_graph.values()):
                self.error(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'Type "{super_type.name}" is declared with @interfaceObject in subgraphs {graph_list(objects)} but no '
                    "subgraph defines it as an interface",
                    objects,
                    super_type.name,
                )
            extensions = [g for g, t in super_type.per_graph.items() if t.extension]
            if (
                extensions
                and len(extensions) == len(super_type.per_graph)
                and all(not self.supergraph.subgraphs[g].fed2 for g in extensions)
            ):
                self.error(
                    "EXTENSION_WITH_NO_BASE",
                    f'Type "{super_type.name}" is only extended (subgraphs {graph_list(extensions)}); no subgraph defines '
                    "its base, so no subgraph can resolve it",
                    extensions,
                    super_type.name,
                )

    def _usages(self) -> None:
        """Input and output positions as Apollo counts them: output fields and the arguments that
        survived merging, but every subgraph's input-object fields (even ones left out)."""
        for super_type in self.supergraph.types.values():
            if super_type.kind == "input":
                for sub_type in super_type.per_graph.values():
                    self.inputs.update(named_type(f.type) for f in sub_type.fields.values())
                continue
            for field in super_type.fields.values():
                self.outputs.add(named_type(field.type))
                for argument in field.arguments.values():
                    self.inputs.add(named_type(argument.type))

    def _merge_enum(self, super_type: SuperType) -> None:
        graphs = super_type.graphs
        for graph, sub_type in super_type.per_graph.items():
            for sub_value in sub_type.values.values():
                entry = super_type.values.setdefault(sub_value.name, SuperEnumValue(sub_value.name))
                entry.graphs.append(graph)
                entry.description = entry.description or sub_value.description
                entry.directives = merge_applied([entry.directives, sub_value.directives])
        partial = {name: v for name, v in super_type.values.items() if len(v.graphs) != len(graphs)}
        is_input, is_output = super_type.name in self.inputs, super_type.name in self.outputs
        if is_input and is_output:
            for name, value in partial.items():
                if any(d.name == "inaccessible" for d in value.directives):
                    continue  # hidden from clients: it may be missing elsewhere (Apollo allows it)
                missing = [g for g in graphs if g not in value.graphs]
                self.error(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{super_type.name}" is used as both input and output type, but value "{super_type.name}.{name}" '
                    f"is defined in subgraphs {graph_list(value.graphs)} and not in {graph_list(missing)}",
                    graphs,
                    f"{super_type.name}.{name}",
                )
        elif not is_input:
            for name, value in partial.items():
                self.hints.append(
                    CompositionHint(
                        "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM",
                        f'Value "{super_type.name}.{name}" of output-only enum "{super_type.name}" is only in '
                        f"subgraphs {graph_list(value.graphs)}; it is kept in the supergraph",
                        tuple(graphs),
                        (f"{super_type.name}.{name}",),
                    )
                )
        else:
            for name, value in partial.items():
                self.hints.append(
                    CompositionHint(
                        "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
                        f'Value "{name}" of input-only enum "{super_type.name}" is not in every subgraph '
                        f"(only {graph_list(value.graphs)}); it is left out of the supergraph",
                        tuple(graphs),
                        (f"{super_type.name}.{name}",),
                    )
                )
                del super_type.values[name]
            if not super_type.values:
                self.error(
                    "EMPTY_MERGED_ENUM_TYPE",
                    f'None of the values of enum type "{super_type.name}" are defined consistently in all the '
                    f"subgraphs defining it ({graph_list(graphs)}); it is only used as an input, so it would be empty",
                    graphs,
                    super_type.name,
                )

    def _merge_input(self, super_type: SuperType) -> None:
        graphs = super_type.graphs
        names: list[str] = []
        for sub_type in super_type.per_graph.values():
            names.extend(n for n in sub_type.fields if n not in names)
        for name in names:
            coordinate = f"{super_type.name}.{name}"
            present = {g: t.fields[name] for g, t in super_type.per_graph.items() if name in t.fields}
            merged = merge_input_value(INPUT_FIELD, coordinate, present, graphs, self.errors, self.hints)
            if merged is None:
                continue
            super_type.fields[name] = SuperField(
                name=name,
                type=merged.type,
                description=merged.description,
                directives=merged.directives,
                default=merged.default,
                per_graph=present,
                resolving=list(present),
                # Like output fields, an input field whose type differs per subgraph records each.
                joins=[JoinField(graph=g, type=type_string(f.type)) for g, f in present.items()]
                if len({type_string(f.type) for f in present.values()}) > 1
                else None,
            )
        if not super_type.fields and names:
            self.error(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{super_type.name}" are consistently defined in all '
                f"the subgraphs defining it ({graph_list(graphs)})",
                graphs,
                super_type.name,
            )


def merge_subgraphs(
    subgraphs: list[SubgraphSchema],
) -> tuple[Supergraph, list[CompositionError], list[CompositionHint]]:
    merger = _Merger(subgraphs)
    supergraph = merger.run()
    return supergraph, merger.errors, merger.hints
