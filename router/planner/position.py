"""Where the planning walk stands (router/planner/walk.py), and helpers on selections it
needs at every step."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from router.planner.groups import Container, FetchGroup
from router.planner.nodes import PathElement
from router.planner.selections import Field, Sel

__all__ = ["Pos", "bare_typename", "conditions"]

_CONDITION = re.compile(r"@(include|skip)\(if: \$(\w+)\)")


def conditions(texts: Iterable[str]) -> frozenset[tuple[str, bool]]:
    """`@include(if: $v)` / `@skip(if: $v)` texts -> {(v, include?)}; literals stay in the text."""
    return frozenset((name, kind == "include") for text in texts for kind, name in _CONDITION.findall(text))


def bare_typename(sel: Sel) -> bool:
    return isinstance(sel, Field) and sel.name == "__typename" and not sel.alias and not sel.directives_text


@dataclass(frozen=True, slots=True)
class Pos:
    """Where the walk stands: an object of `type_name` inside `group`, served by `graph`."""

    group: FetchGroup
    graph: str
    type_name: str
    container: Container  # receives selections (inside enclosing conditional fragments)
    base: Container  # the object's own selection set: keys and requires go here
    path: tuple[PathElement, ...]
    conds: tuple[tuple[str, frozenset[str]], ...]
    provided: tuple[Sel, ...] | None
    key_mode: bool = False  # collecting key fields: overridden copies still count
    client: tuple[Sel, ...] = ()  # the client's selections on this object (reserved keys)

    def inside(self, container: Container, conds: tuple[tuple[str, frozenset[str]], ...]) -> Pos:
        # (explicit construction: dataclasses.replace is slow on the planning hot path)
        return Pos(
            self.group,
            self.graph,
            self.type_name,
            container,
            self.base,
            self.path,
            conds,
            self.provided,
            self.key_mode,
            self.client,
        )

    def at_base(self, key_mode: bool) -> Pos:
        return Pos(
            self.group,
            self.graph,
            self.type_name,
            self.base,
            self.base,
            self.path,
            (),
            self.provided,
            key_mode,
            self.client,
        )
