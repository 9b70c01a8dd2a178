"""Type references across subgraphs: compatibility and merging (GraphQL spec §3.4.2 subtyping).

Output positions merge to the most general type (a nullable or abstract type covers a non-null
or concrete one), which every subgraph's type must be a subtype of; input positions merge to the
most restrictive nullability and need the same named type. Lists must line up in every case.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode, print_ast

__all__ = ["is_output_subtype", "merge_input_types", "merge_output_types", "type_string"]

# (abstract type name, possible type name) -> is `possible` a member/implementation of `abstract`?
IsPossible = Callable[[str, str], bool]


def type_string(node: TypeNode) -> str:
    return print_ast(node)


def is_output_subtype(sub: TypeNode, sup: TypeNode, is_possible: IsPossible) -> bool:
    """Can a value of type `sub` stand where `sup` is declared (covariant output subtyping)?"""
    if isinstance(sup, NonNullTypeNode):
        return isinstance(sub, NonNullTypeNode) and is_output_subtype(sub.type, sup.type, is_possible)
    if isinstance(sub, NonNullTypeNode):
        return is_output_subtype(sub.type, sup, is_possible)
    if isinstance(sup, ListTypeNode):
        return isinstance(sub, ListTypeNode) and is_output_subtype(sub.type, sup.type, is_possible)
    if isinstance(sub, ListTypeNode):
        return False
    assert isinstance(sub, NamedTypeNode) and isinstance(sup, NamedTypeNode)
    return sub.name.value == sup.name.value or is_possible(sup.name.value, sub.name.value)


def merge_output_types(types: list[TypeNode], is_possible: IsPossible) -> TypeNode | None:
    """The most general of `types`, or None unless every type is a subtype of it (Apollo's
    rule: `[Int]!` and `[Int!]` are incompatible, neither covers the other)."""
    merged = types[0]
    for candidate in types[1:]:
        if is_output_subtype(candidate, merged, is_possible):
            continue
        if is_output_subtype(merged, candidate, is_possible):
            merged = candidate
            continue
        return None
    return merged


def merge_input_types(types: list[TypeNode]) -> TypeNode | None:
    """The most restrictive of `types` (non-null wins), or None when named types/lists differ."""
    merged = types[0]
    for candidate in types[1:]:
        result = _merge_input(merged, candidate)
        if result is None:
            return None
        merged = result
    return merged


def _merge_input(a: TypeNode, b: TypeNode) -> TypeNode | None:
    a_non_null, b_non_null = isinstance(a, NonNullTypeNode), isinstance(b, NonNullTypeNode)
    a_inner = a.type if isinstance(a, NonNullTypeNode) else a
    b_inner = b.type if isinstance(b, NonNullTypeNode) else b
    inner: TypeNode | None
    if isinstance(a_inner, ListTypeNode) and isinstance(b_inner, ListTypeNode):
        element = _merge_input(a_inner.type, b_inner.type)
        inner = ListTypeNode(type=element) if element is not None else None
    elif isinstance(a_inner, NamedTypeNode) and isinstance(b_inner, NamedTypeNode):
        inner = a_inner if a_inner.name.value == b_inner.name.value else None
    else:
        inner = None
    if inner is None:
        return None
    if a_non_null or b_non_null:
        assert isinstance(inner, NamedTypeNode | ListTypeNode)
        return NonNullTypeNode(type=inner)
    return inner
