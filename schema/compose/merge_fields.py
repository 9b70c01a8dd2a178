"""Merging one field of an object/interface type across subgraphs: type, arguments, sharing,
@override and the `@join__field`s that record it (join v0.3)."""

from __future__ import annotations

from schema.compose.directives import merge_applied, merge_description
from schema.compose.errors import CompositionError, CompositionHint, graph_list
from schema.compose.input_values import ARGUMENT, incompatible_types, merge_input_value
from schema.compose.model import SubField, SubgraphSchema, SubType
from schema.compose.supermodel import JoinField, SuperArgument, SuperField, Supergraph, SuperType
from schema.compose.typerefs import is_output_subtype, merge_output_types, type_string

__all__ = ["FieldMerger"]


class FieldMerger:
    """Merges the fields of one type at a time, appending to shared error and hint lists."""

    def __init__(
        self, supergraph: Supergraph, errors: list[CompositionError], hints: list[CompositionHint]
    ) -> None:
        self.supergraph = supergraph
        self.errors = errors
        self.hints = hints

    def _error(self, code: str, message: str, graphs: list[str], coordinate: str) -> None:
        self.errors.append(CompositionError(code, message, tuple(graphs), (coordinate,)))

    def _shareable(self, graph: str, owner: SubType, sub_field: SubField) -> bool:
        subgraph: SubgraphSchema = self.supergraph.subgraphs[graph]
        if sub_field.shareable or owner.shareable:
            return True
        if sub_field.used_in_key:
            return True  # key fields, nested ones included, are shareable (Federation 2 "@shareable" docs)
        return not subgraph.fed2 and not owner.is_entity

    def merge(self, super_type: SuperType, name: str) -> SuperField:
        coordinate = f"{super_type.name}.{name}"
        definitions = {
            graph: sub_type.fields[name]
            for graph, sub_type in super_type.per_graph.items()
            if name in sub_type.fields
        }
        concrete = {graph: f for graph, f in definitions.items() if not f.external}
        if not concrete:
            self._error(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external in every subgraph that defines it '
                f"({graph_list(definitions)}): no subgraph resolves it",
                list(definitions),
                coordinate,
            )
            concrete = definitions
        overridden = self._overrides(coordinate, definitions, concrete)
        resolving = [graph for graph in concrete if graph not in overridden]
        for graph in sorted(overridden):
            if not definitions[graph].used_in_field_set:
                self.hints.append(
                    CompositionHint(
                        "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
                        f'Field "{coordinate}" in subgraph "{graph}" is overridden and no longer used there; '
                        "it can be removed from that subgraph",
                        (graph,),
                        (coordinate,),
                    )
                )
        overriding = any(f.override for f in concrete.values())
        # An @external field the subgraph @provides is resolved there too (on that path).
        # Federation 1 subgraphs are exempt: Apollo's upgrade marks provided fields @shareable.
        provided = [
            g
            for g, f in definitions.items()
            if f.external and f.provided and g not in resolving and self.supergraph.subgraphs[g].fed2
        ]
        if any(not self.supergraph.subgraphs[g].fed2 for g in resolving):
            provided = []
        sharing = sorted([*resolving, *provided])
        if len(sharing) > 1 and super_type.kind == "object" and not (overriding and self.errors):
            unshared = [
                g for g in resolving if not self._shareable(g, super_type.per_graph[g], definitions[g])
            ]
            if unshared:
                self._error(
                    "INVALID_FIELD_SHARING",
                    f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is resolved '
                    f"from subgraphs {graph_list(sharing)} and defined as non-shareable in "
                    f"{graph_list(unshared)}; mark it @shareable in each of them (Strawberry: shareable=True)",
                    sharing,
                    coordinate,
                )
        merged_type = merge_output_types([concrete[g].type for g in concrete], self.supergraph.is_possible)
        if merged_type is None:
            self._error(
                "FIELD_TYPE_MISMATCH",
                incompatible_types("field", coordinate, concrete),
                list(concrete),
                coordinate,
            )
            merged_type = next(iter(concrete.values())).type
        elif len({type_string(f.type) for f in concrete.values()}) > 1:
            self.hints.append(
                CompositionHint(
                    "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
                    f'Type of field "{coordinate}" differs across subgraphs ('
                    + ", ".join(f'"{type_string(f.type)}" in "{g}"' for g, f in concrete.items())
                    + f'); the supergraph uses "{type_string(merged_type)}"',
                    tuple(concrete),
                    (coordinate,),
                )
            )
        # Apollo's rule for @external declarations: the merged type exactly, or - only when the
        # resolving subgraphs disagree among themselves - a strict subtype of it.
        all_equal = len({type_string(f.type) for f in concrete.values()}) == 1
        for graph, sub_field in definitions.items():
            if not sub_field.external or type_string(sub_field.type) == type_string(merged_type):
                continue
            if all_equal or not is_output_subtype(sub_field.type, merged_type, self.supergraph.is_possible):
                self._error(
                    "EXTERNAL_TYPE_MISMATCH",
                    f'Type of field "{coordinate}" is incompatible across subgraphs (where marked @external): '
                    f'it has type "{type_string(merged_type)}" where resolved but "{type_string(sub_field.type)}" '
                    f'in subgraph "{graph}"',
                    list(definitions),
                    coordinate,
                )
        result = SuperField(
            name=name,
            type=merged_type,
            description=merge_description(f.description for f in definitions.values()),
            directives=merge_applied(f.directives for f in definitions.values()),
            per_graph=definitions,
            resolving=resolving,
        )
        result.arguments = self._arguments(coordinate, concrete)
        result.joins = self._joins(super_type, definitions, overridden)
        return result

    def _overrides(
        self, coordinate: str, definitions: dict[str, SubField], concrete: dict[str, SubField]
    ) -> set[str]:
        overridden: set[str] = set()
        for graph, sub_field in concrete.items():
            source = sub_field.override
            if source is None:
                continue
            if source == graph:
                self._error(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{graph}" are the same for overridden field "{coordinate}"',
                    [graph],
                    coordinate,
                )
            elif source not in self.supergraph.subgraphs:
                self.hints.append(
                    CompositionHint(
                        "FROM_SUBGRAPH_DOES_NOT_EXIST",
                        f'Source subgraph "{source}" for field "{coordinate}" on subgraph "{graph}" does not '
                        "exist; the @override has no effect",
                        (graph,),
                        (coordinate,),
                    )
                )
            elif source in definitions:
                if definitions[source].override is not None:
                    if any(
                        e.code == "OVERRIDE_SOURCE_HAS_OVERRIDE" and coordinate in e.coordinates
                        for e in self.errors
                    ):
                        continue  # the pair was reported from the other side
                    self._error(
                        "OVERRIDE_SOURCE_HAS_OVERRIDE",
                        f'Field "{coordinate}" on subgraph "{graph}" is overridden from subgraph "{source}", '
                        f'which itself overrides it (from "{definitions[source].override}")',
                        [graph, source],
                        coordinate,
                    )
                elif not definitions[source].external:
                    overridden.add(source)
            else:
                self.hints.append(
                    CompositionHint(
                        "OVERRIDE_DIRECTIVE_CAN_BE_REMOVED",
                        f'Field "{coordinate}" on subgraph "{graph}" overrides subgraph "{source}", which '
                        "does not define it",
                        (graph, source),
                        (coordinate,),
                    )
                )
        return overridden

    def _arguments(self, coordinate: str, concrete: dict[str, SubField]) -> dict[str, SuperArgument]:
        names: list[str] = []
        for sub_field in concrete.values():
            names.extend(a for a in sub_field.arguments if a not in names)
        result: dict[str, SuperArgument] = {}
        for name in names:
            where = f"{coordinate}({name}:)"
            present = {g: f.arguments[name] for g, f in concrete.items() if name in f.arguments}
            merged = merge_input_value(ARGUMENT, where, present, concrete, self.errors, self.hints)
            if merged is not None:
                result[name] = SuperArgument(
                    name=name,
                    type=merged.type,
                    default=merged.default,
                    description=merged.description,
                    directives=merged.directives,
                )
        return result

    def _joins(
        self, super_type: SuperType, definitions: dict[str, SubField], overridden: set[str]
    ) -> list[JoinField] | None:
        types = {type_string(f.type) for f in definitions.values()}
        differs = len(types) > 1
        # As Apollo's `needsJoinField`: an @override only matters through the graph it empties.
        special = any(f.external or f.requires or f.provides for f in definitions.values())
        if set(definitions) == set(super_type.per_graph) and not (differs or special or overridden):
            return None
        joins: list[JoinField] = []
        for graph in super_type.per_graph:
            sub_field = definitions.get(graph)
            if sub_field is None:
                continue
            typed = type_string(sub_field.type) if differs else None
            if graph in overridden:
                if sub_field.used_in_field_set:
                    joins.append(JoinField(graph=graph, type=typed, used_overridden=True))
                continue
            joins.append(
                JoinField(
                    graph=graph,
                    requires=sub_field.requires,
                    provides=sub_field.provides,
                    type=typed,
                    external=sub_field.external,
                    override=sub_field.override,
                )
            )
        return joins
