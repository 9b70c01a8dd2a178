"""Helpers for composition tests: the Federation 2 `@link` header of a subgraph, composing
subgraphs given as SDL, and reading a supergraph back as directives per coordinate."""

from __future__ import annotations

from graphql import TypeDefinitionNode, parse, print_ast

from schema.compose import SubgraphInput, compose

__all__ = ["composed_directives_at", "directives_at", "fed2"]


def fed2(imports: str, minor: int = 3) -> str:
    """`extend schema @link(…federation/v2.<minor>, import: [<imports>])` and a newline."""
    return (
        f'extend schema @link(url: "https://specs.apollo.dev/federation/v2.{minor}", import: [{imports}])\n'
    )


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


def composed_directives_at(**sdls: str) -> dict[str, list[str]]:
    """`directives_at` of the supergraph of the subgraphs name=SDL (served at http://<name>)."""
    return directives_at(
        compose([SubgraphInput(name, f"http://{name}", sdl) for name, sdl in sdls.items()]).unwrap()
    )
