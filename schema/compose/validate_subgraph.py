"""Checks of one subgraph on its own, and the Federation 1 → 2 upgrade of its semantics."""

from __future__ import annotations

from collections.abc import Callable

from graphql import FieldNode, print_ast

from schema.compose.errors import CompositionError
from schema.compose.fieldsets import named_type, parse_field_set, validate_field_set
from schema.compose.model import SubgraphSchema

__all__ = ["validate_subgraph"]


def validate_subgraph(subgraph: SubgraphSchema) -> list[CompositionError]:
    """Validate @key/@requires/@provides/@override/@external uses; mark field-set fields.

    For a Federation 1 subgraph also apply Apollo's upgrade: @external on the key fields of a
    type extension is dropped (Federation 2 needs none there)."""
    errors: list[CompositionError] = []
    name = subgraph.name

    def report(code: str, message: str, coordinate: str) -> None:
        errors.append(CompositionError(code, f"[{name}] {message}", (name,), (coordinate,)))

    _interfaces(subgraph, report)
    _known_types(subgraph, report)
    for sub_type in subgraph.types.values():
        for fields, _resolvable in sub_type.keys:
            for issue in validate_field_set(subgraph, sub_type.name, fields, "key", sub_type.name):
                report(issue.code, issue.message, sub_type.name)
        if sub_type.interface_object and (sub_type.kind != "object" or not sub_type.keys):
            report(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'@interfaceObject type "{sub_type.name}" must be an object type with a @key',
                sub_type.name,
            )
        for field in sub_type.fields.values():
            coordinate = f"{sub_type.name}.{field.name}"
            if field.requires is not None:
                for issue in validate_field_set(
                    subgraph, sub_type.name, field.requires, "requires", coordinate
                ):
                    report(issue.code, issue.message, coordinate)
            if field.provides is not None:
                target = subgraph.types.get(named_type(field.type))
                if target is None or target.kind not in ("object", "interface", "union"):
                    report(
                        "PROVIDES_ON_NON_OBJECT_FIELD",
                        f'Invalid @provides on field "{coordinate}": its type is not a composite type',
                        coordinate,
                    )
                else:
                    for issue in validate_field_set(
                        subgraph, target.name, field.provides, "provides", coordinate
                    ):
                        report(issue.code, issue.message, coordinate)
            if field.override is not None and field.external:
                report(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    f'@override cannot be used on field "{coordinate}" which is also marked @external',
                    coordinate,
                )
            if field.override == name:
                report(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{name}" are the same for overridden field "{coordinate}"',
                    coordinate,
                )
                field.override = None
    if not subgraph.fed2:
        _upgrade_federation_1(subgraph)
    else:
        for sub_type in subgraph.types.values():
            for field in sub_type.fields.values():
                if (
                    field.external
                    and not field.used_in_field_set
                    and not _in_interface(subgraph, sub_type.name, field.name)
                ):
                    report(
                        "EXTERNAL_UNUSED",
                        f'Field "{sub_type.name}.{field.name}" is marked @external but is not used by any '
                        "@key, @requires or @provides",
                        f"{sub_type.name}.{field.name}",
                    )
    return errors


_BUILTIN_SCALARS = frozenset({"Int", "Float", "String", "Boolean", "ID"})


def _known_types(subgraph: SubgraphSchema, report: Callable[[str, str, str], None]) -> None:
    """Each subgraph is a schema on its own: every type it mentions it must define (GraphQL spec
    §3.4 "Types"), as Apollo checks before composing."""
    known = set(subgraph.types) | _BUILTIN_SCALARS
    for sub_type in subgraph.types.values():
        references = [(f"{sub_type.name}.{f.name}", named_type(f.type)) for f in sub_type.fields.values()]
        references += [
            (f"{sub_type.name}.{f.name}({a.name}:)", named_type(a.type))
            for f in sub_type.fields.values()
            for a in f.arguments.values()
        ]
        references += [(sub_type.name, name) for name in (*sub_type.interfaces, *sub_type.members)]
        for coordinate, name in references:
            if name not in known:
                report("INVALID_GRAPHQL", f'Unknown type "{name}" (used by "{coordinate}")', coordinate)


def _normal_field_set(fields: str) -> str:
    selection_set = parse_field_set(fields)
    return print_ast(selection_set) if selection_set is not None else fields


def _interfaces(subgraph: SubgraphSchema, report: Callable[[str, str, str], None]) -> None:
    """@shareable has no meaning on interfaces; an interface @key binds its implementations."""
    for interface in subgraph.types.values():
        if interface.kind != "interface":
            continue
        shared = [f.name for f in interface.fields.values() if f.shareable]
        if interface.shareable or shared:
            where = f"{interface.name}.{shared[0]}" if shared else interface.name
            report("INVALID_SHAREABLE_USAGE", f'Invalid use of @shareable on interface "{where}"', where)
        for fields, _resolvable in interface.keys:
            missing = [
                t.name
                for t in subgraph.types.values()
                if t.kind == "object"
                and interface.name in t.interfaces
                and _normal_field_set(fields) not in {_normal_field_set(k) for k, _ in t.keys}
            ]
            if missing:
                report(
                    "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                    f'Key @key(fields: "{fields}") on interface type "{interface.name}" is missing on '
                    f"implementation types {', '.join(repr(m) for m in missing)}",
                    interface.name,
                )


def _in_interface(subgraph: SubgraphSchema, type_name: str, field_name: str) -> bool:
    """An @external field satisfying an interface of its type is in use (Apollo allows it)."""
    sub_type = subgraph.types[type_name]
    return any(field_name in subgraph.types[i].fields for i in sub_type.interfaces if i in subgraph.types)


def _key_fields(subgraph: SubgraphSchema, type_name: str) -> set[str]:
    names: set[str] = set()
    for fields, _resolvable in subgraph.types[type_name].keys:
        selection_set = parse_field_set(fields)
        if selection_set is not None:
            names.update(s.name.value for s in selection_set.selections if isinstance(s, FieldNode))
    return names


def _upgrade_federation_1(subgraph: SubgraphSchema) -> None:
    for sub_type in subgraph.types.values():
        key_fields = _key_fields(subgraph, sub_type.name)
        for field in sub_type.fields.values():
            if field.external and field.name in key_fields:
                field.external = False
