"""Fetch groups: the mutable per-subgraph selections the planner fills before emitting nodes."""

from __future__ import annotations

from dataclasses import dataclass, field

from router.planner.nodes import (
    FieldSelection,
    InlineFragmentSelection,
    PathElement,
    RequiresSelection,
    TypeCondition,
    ValueSetter,
)

__all__ = ["Container", "FetchGroup", "FieldItem", "FragmentItem"]


@dataclass(slots=True, eq=False)
class FieldItem:
    name: str
    alias: str | None
    args_text: str
    directives_text: str
    sub: Container | None
    variables: frozenset[str] = frozenset()
    type_text: str = ""  # the field's type in the fetch's subgraph


@dataclass(slots=True, eq=False)
class FragmentItem:
    type_condition: str | None
    directives_text: str
    sub: Container
    variables: frozenset[str] = frozenset()


class Container:
    """A selection set under construction; equal selections merge."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[tuple[str, ...], FieldItem | FragmentItem] = {}

    def field(
        self,
        name: str,
        alias: str | None = None,
        args_text: str = "",
        directives_text: str = "",
        composite: bool = False,
        variables: frozenset[str] = frozenset(),
        type_text: str = "",
    ) -> FieldItem:
        key = (alias or name, name, args_text, directives_text)
        item = self.items.get(key)
        if item is None:
            sub = Container() if composite else None
            item = FieldItem(name, alias, args_text, directives_text, sub, variables, type_text)
            self.items[key] = item
        assert isinstance(item, FieldItem)
        return item

    def fragment(
        self,
        type_condition: str | None,
        directives_text: str = "",
        variables: frozenset[str] = frozenset(),
    ) -> Container:
        key = ("...", type_condition or "", directives_text)
        item = self.items.get(key)
        if item is None:
            item = FragmentItem(type_condition, directives_text, Container(), variables)
            self.items[key] = item
        assert isinstance(item, FragmentItem)
        return item.sub

    def is_empty(self) -> bool:
        return not self.items

    def is_void(self) -> bool:
        """Nothing but empty fragments: a selection set that would render empty."""
        return all(isinstance(i, FragmentItem) and i.sub.is_void() for i in self.items.values())

    def render(self, used: set[str]) -> str:
        """GraphQL text of the selection set; adds the variables it uses to `used`."""
        parts: list[str] = []
        for item in self.items.values():
            if isinstance(item, FieldItem):
                text = f"{item.alias}: {item.name}" if item.alias else item.name
                text += item.args_text + item.directives_text
                if item.sub is not None:
                    text += " " + item.sub.render(used)
            else:
                if item.sub.is_void():
                    continue
                text = "..."
                if item.type_condition:
                    text += " on " + item.type_condition
                text += item.directives_text + " " + item.sub.render(used)
            used.update(item.variables)
            parts.append(text)
        return "{ " + " ".join(parts) + " }" if parts else "{ __typename }"

    def to_requires(self) -> tuple[RequiresSelection, ...]:
        result: list[RequiresSelection] = []
        for item in self.items.values():
            if isinstance(item, FieldItem):
                sub = item.sub.to_requires() if item.sub is not None else ()
                result.append(FieldSelection(item.name, item.alias, sub))
            elif not item.sub.is_void():
                result.append(InlineFragmentSelection(item.type_condition, item.sub.to_requires()))
        return tuple(result)


@dataclass(slots=True, eq=False)
class FetchGroup:
    """One future fetch: a root fetch (parent None) or an `_entities` fetch at `path`."""

    id: int
    graph: str
    kind: str
    parent: FetchGroup | None
    path: tuple[PathElement, ...] = ()
    cond_types: set[str] | None = None
    # set once the group also serves objects reached without a type condition
    unconditional: bool = False
    # (variable, include?) pairs that must all hold for the group to be needed at all
    condition: frozenset[tuple[str, bool]] = frozenset()
    deps: set[FetchGroup] = field(default_factory=set)
    root: Container = field(default_factory=Container)
    entities: dict[str, Container] = field(default_factory=dict)
    requires: dict[str, Container] = field(default_factory=dict)
    rewrites: dict[str, ValueSetter] = field(default_factory=dict)

    def __hash__(self) -> int:
        return self.id

    @property
    def is_entity(self) -> bool:
        return self.parent is not None

    def entity(self, type_name: str) -> Container:
        container = self.entities.get(type_name)
        if container is None:
            container = self.entities[type_name] = Container()
        return container

    def requires_for(self, type_name: str) -> Container:
        container = self.requires.get(type_name)
        if container is None:
            container = self.requires[type_name] = Container()
        return container

    def flatten_path(self) -> tuple[PathElement, ...]:
        if self.cond_types and not self.unconditional:
            return (*self.path, TypeCondition(frozenset(self.cond_types)))
        return self.path

    def depends_on(self, other: FetchGroup) -> bool:
        """True when this group (transitively) waits for `other`."""
        stack = [self]
        seen: set[int] = set()
        while stack:
            group = stack.pop()
            if group.id in seen:
                continue
            seen.add(group.id)
            for dep in group.all_deps():
                if dep is other:
                    return True
                stack.append(dep)
        return False

    def all_deps(self) -> set[FetchGroup]:
        if self.parent is None:
            return self.deps
        return self.deps | {self.parent}

    def is_void(self) -> bool:
        if self.parent is None:
            return self.root.is_void()
        return all(c.is_void() for c in self.entities.values())

    def selection_text(self, used: set[str]) -> str:
        if self.parent is None:
            return self.root.render(used)
        body = " ".join(
            f"... on {t} {c.render(used)}" for t, c in self.entities.items() if not c.is_void()
        )
        return "{ _entities(representations: $representations) { " + body + " } }"
