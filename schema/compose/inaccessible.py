"""@inaccessible rules (inaccessible spec v0.2, "Validations"): the API schema that remains after
hiding must still be a valid schema."""

from __future__ import annotations

from graphql import EnumValueNode, ListValueNode, NonNullTypeNode, TypeNode, ValueNode

from schema.compose.errors import CompositionError
from schema.compose.fieldsets import named_type
from schema.compose.model import AppliedDirective
from schema.compose.supermodel import Supergraph

__all__ = ["check_inaccessible"]


def _hidden(directives: list[AppliedDirective]) -> bool:
    return any(d.name == "inaccessible" for d in directives)


def _enum_values(value: ValueNode | None) -> list[str]:
    if isinstance(value, EnumValueNode):
        return [value.value]
    if isinstance(value, ListValueNode):
        return [v for item in value.values for v in _enum_values(item)]
    return []


def check_inaccessible(supergraph: Supergraph) -> list[CompositionError]:
    errors: list[CompositionError] = []
    hidden_types = {name for name, t in supergraph.types.items() if _hidden(t.directives)}

    def hidden_default(type_node: TypeNode, default: ValueNode | None) -> str | None:
        """The @inaccessible enum value a default uses, if any."""
        enum = supergraph.types.get(named_type(type_node))
        if enum is None or enum.kind != "enum":
            return None
        for name in _enum_values(default):
            value = enum.values.get(name)
            if value is not None and _hidden(value.directives):
                return f"{enum.name}.{name}"
        return None

    def error(code: str, message: str, coordinate: str, graphs: list[str]) -> None:
        errors.append(CompositionError(code, message, tuple(graphs), (coordinate,)))

    for super_type in supergraph.types.values():
        if super_type.name in hidden_types:
            continue
        graphs = super_type.graphs
        if super_type.kind in ("object", "interface", "input"):
            visible = [f for f in super_type.fields.values() if not _hidden(f.directives)]
            if super_type.fields and not visible:
                error(
                    "ONLY_INACCESSIBLE_CHILDREN",
                    f'Type "{super_type.name}" is in the API schema but all of its fields are @inaccessible',
                    super_type.name,
                    graphs,
                )
        if super_type.kind == "enum" and super_type.values:
            if all(_hidden(v.directives) for v in super_type.values.values()):
                error(
                    "ONLY_INACCESSIBLE_CHILDREN",
                    f'Type "{super_type.name}" is in the API schema but all of its values are @inaccessible',
                    super_type.name,
                    graphs,
                )
        for field in super_type.fields.values():
            coordinate = f"{super_type.name}.{field.name}"
            if _hidden(field.directives):
                if (
                    super_type.kind == "input"
                    and isinstance(field.type, NonNullTypeNode)
                    and field.default is None
                ):
                    error(
                        "REQUIRED_INACCESSIBLE",
                        f'Input field "{coordinate}" is @inaccessible but required',
                        coordinate,
                        graphs,
                    )
                continue
            used = hidden_default(field.type, field.default) if super_type.kind == "input" else None
            if used is not None:
                error(
                    "DEFAULT_VALUE_USES_INACCESSIBLE",
                    f'Enum value "{used}" is @inaccessible but is used in the default value of "{coordinate}", '
                    "which is in the API schema",
                    coordinate,
                    graphs,
                )
            if named_type(field.type) in hidden_types:
                error(
                    "REFERENCED_INACCESSIBLE",
                    f'Type "{named_type(field.type)}" is @inaccessible but is referenced by "{coordinate}", '
                    "which is in the API schema",
                    coordinate,
                    graphs,
                )
            for argument in field.arguments.values():
                where = f"{coordinate}({argument.name}:)"
                required = isinstance(argument.type, NonNullTypeNode) and argument.default is None
                if _hidden(argument.directives):
                    if required:
                        error(
                            "REQUIRED_INACCESSIBLE",
                            f'Argument "{where}" is @inaccessible but required',
                            where,
                            graphs,
                        )
                elif (used := hidden_default(argument.type, argument.default)) is not None:
                    error(
                        "DEFAULT_VALUE_USES_INACCESSIBLE",
                        f'Enum value "{used}" is @inaccessible but is used in the default value of "{where}", '
                        "which is in the API schema",
                        where,
                        graphs,
                    )
                elif named_type(argument.type) in hidden_types:
                    error(
                        "REFERENCED_INACCESSIBLE",
                        f'Type "{named_type(argument.type)}" is @inaccessible but is referenced by "{where}", '
                        "which is in the API schema",
                        where,
                        graphs,
                    )
    return errors
