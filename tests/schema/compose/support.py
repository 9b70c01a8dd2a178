"""Helpers for composition tests: read a supergraph back as directives per coordinate."""

from __future__ import annotations

from graphql import TypeDefinitionNode, parse, print_ast

__all__ = ["directives_at"]


def directives_at(sdl: str) -> dict[str, list[str]]:
    """`{"User": ['@join__type(graph: A, key: "id")', …], "User.name": […]}` in SDL order."""
    found: dict[str, list[str]] = {}
    for definition in parse(sdl).definitions:
        if not isinstance(definition, TypeDefinitionNode):
            continue
        name = definition.name.value
        found[name] = [print_ast(d) for d in definition.directives or ()]
        for member in (getattr(definition, "fields", None) or ()) + (
            getattr(definition, "values", None) or ()
        ):
            found[f"{name}.{member.name.value}"] = [print_ast(d) for d in member.directives or ()]
    return found
