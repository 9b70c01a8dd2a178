"""Keep subgraph operations valid under "fields in set can merge" (GraphQL spec §5.3.2).

Two fields with one response key under different object-type fragments may differ in name,
arguments or type *in the subgraph* (a field nullable in one graph, non-null in another) even
though the client operation is valid against the supergraph. The later one gets an internal
alias and a KeyRenamer output rewrite restores the client's key in the fetched data.
"""

from __future__ import annotations

from router.planner.groups import Container, FieldItem, FragmentItem
from router.planner.nodes import KeyRenamer

__all__ = ["dealias"]

_Located = tuple[FieldItem, tuple[str, ...]]


def _flatten(container: Container, path: tuple[str, ...], out: list[_Located]) -> None:
    for item in container.items.values():
        if isinstance(item, FieldItem):
            out.append((item, path))
        elif isinstance(item, FragmentItem):
            inner = (*path, f"... on {item.type_condition}") if item.type_condition else path
            _flatten(item.sub, inner, out)


def _signature(item: FieldItem) -> tuple[str, str, str]:
    return (item.name, item.args_text, item.type_text)


def dealias(roots: list[tuple[Container, tuple[str, ...]]], rewrites: list[KeyRenamer]) -> None:
    """Alias conflicting fields among `roots` (selection sets that merge), recursively."""
    located: list[_Located] = []
    for container, path in roots:
        _flatten(container, path, located)
    by_key: dict[str, list[_Located]] = {}
    for item, path in located:
        by_key.setdefault(item.alias or item.name, []).append((item, path))
    counter = 0
    for key, items in by_key.items():
        first = _signature(items[0][0])
        kept: list[_Located] = []
        for item, path in items:
            if _signature(item) != first and item.name != "__typename":
                alias = f"{key}__alias_{counter}"
                counter += 1
                item.alias = alias
                rewrites.append(KeyRenamer((*path, alias), key))
                if item.sub is not None:
                    dealias([(item.sub, (*path, alias))], rewrites)
            else:
                kept.append((item, path))
        subs = [(item.sub, (*path, key)) for item, path in kept if item.sub is not None]
        if subs:
            dealias(subs, rewrites)
