"""Merging one input value across the subgraphs that define its owner: an input-object field or a
field argument. Apollo applies the same rules to both (presence, type, default value); only the
error codes and wording differ, so each kind names its own in an `InputValueRules`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql import NonNullTypeNode, TypeNode, ValueNode, print_ast

from schema.compose.directives import merge_applied, merge_default, merge_description
from schema.compose.errors import CompositionError, CompositionHint, graph_list
from schema.compose.model import AppliedDirective, SubArgument, SubField
from schema.compose.typerefs import merge_input_types, type_string

__all__ = [
    "ARGUMENT",
    "INPUT_FIELD",
    "InputValueRules",
    "MergedInputValue",
    "incompatible_types",
    "merge_input_value",
]


@dataclass(frozen=True)
class InputValueRules:
    """Codes and message templates (`{where}`, `{required}`, `{missing}`, `{defaults}`) of one kind."""

    required_missing: tuple[str, str]
    left_out: tuple[str, str]
    # The noun in "Type of <noun> "X" is incompatible across subgraphs".
    noun: str
    type_mismatch: str
    default_mismatch: tuple[str, str]
    # Is a value that is required somewhere but missing elsewhere still merged (after the error)?
    keep_required_missing: bool


INPUT_FIELD = InputValueRules(
    required_missing=(
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        'Input object field "{where}" is required in subgraphs {required} but not defined in {missing}',
    ),
    left_out=(
        "INCONSISTENT_INPUT_OBJECT_FIELD",
        'Input field "{where}" is not in subgraphs {missing}; it is left out',
    ),
    noun="input field",
    type_mismatch="FIELD_TYPE_MISMATCH",
    default_mismatch=(
        "INPUT_FIELD_DEFAULT_MISMATCH",
        'Input field "{where}" has different default values: {defaults}',
    ),
    keep_required_missing=False,
)
ARGUMENT = InputValueRules(
    required_missing=(
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        'Argument "{where}" is required in subgraphs {required} but missing in {missing}',
    ),
    left_out=(
        "INCONSISTENT_ARGUMENT_PRESENCE",
        'Optional argument "{where}" is not in subgraphs {missing}; it is left out of the supergraph',
    ),
    noun="argument",
    type_mismatch="FIELD_ARGUMENT_TYPE_MISMATCH",
    default_mismatch=(
        "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        'Argument "{where}" has different default values across subgraphs: {defaults}',
    ),
    keep_required_missing=True,
)


@dataclass(frozen=True)
class MergedInputValue:
    type: TypeNode
    default: ValueNode | None
    description: str | None
    directives: list[AppliedDirective]


def incompatible_types(noun: str, where: str, definitions: Mapping[str, SubField | SubArgument]) -> str:
    """The FIELD_TYPE_MISMATCH-style message, naming each subgraph's type."""
    return f'Type of {noun} "{where}" is incompatible across subgraphs: ' + ", ".join(
        f'"{type_string(d.type)}" in subgraph "{g}"' for g, d in definitions.items()
    )


def merge_input_value(
    rules: InputValueRules,
    where: str,
    present: Mapping[str, SubField | SubArgument],
    owners: Iterable[str],
    errors: list[CompositionError],
    hints: list[CompositionHint],
) -> MergedInputValue | None:
    """Merge the definitions in `present` (graph -> definition) of the value at `where`, whose owner
    is defined in `owners`; None when the value is left out of the supergraph."""
    owners = list(owners)
    if len(present) != len(owners):
        missing = graph_list(g for g in owners if g not in present)
        required = [
            g for g, v in present.items() if isinstance(v.type, NonNullTypeNode) and v.default is None
        ]
        if required:
            code, template = rules.required_missing
            message = template.format(where=where, required=graph_list(required), missing=missing)
            errors.append(CompositionError(code, message, tuple(owners), (where,)))
            if not rules.keep_required_missing:
                return None
        else:
            code, template = rules.left_out
            hints.append(
                CompositionHint(code, template.format(where=where, missing=missing), tuple(owners), (where,))
            )
            return None
    merged = merge_input_types([v.type for v in present.values()])
    if merged is None:
        message = incompatible_types(rules.noun, where, present)
        errors.append(CompositionError(rules.type_mismatch, message, tuple(present), (where,)))
        merged = next(iter(present.values())).type
    defaults = {print_ast(v.default) for v in present.values() if v.default is not None}
    if len(defaults) > 1:
        code, template = rules.default_mismatch
        message = template.format(where=where, defaults=sorted(defaults))
        errors.append(CompositionError(code, message, tuple(present), (where,)))
    return MergedInputValue(
        type=merged,
        default=merge_default(hints, where, [v.default for v in present.values()], list(present)),
        description=merge_description(v.description for v in present.values()),
        directives=merge_applied(v.directives for v in present.values()),
    )
