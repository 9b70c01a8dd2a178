"""Internal aliases for the fields the planner adds (keys, requires).

A planner-added field whose response key the client uses for another field (or the same field
with other arguments) would overwrite, or be overwritten by, the client's value in the merged
data. Such fields get a stable internal alias; the representation reads the alias and sends
the real name (FieldSelection(name, alias)). The client's projection never sees them.

Two `@requires` of one object may also need one field with different arguments
(`price(currency: "USD")` and `price(currency: "EUR")`): the later one gets an internal alias
too, so both values live side by side in the merged data, and the entity fetches needing them
are kept apart (GroupBuilder), each sending its own value as `price`.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from router.planner.nodes import PathElement
from router.planner.selections import Field, Fragment, Sel

__all__ = ["InternalAliases"]


def _internal_alias(sel: Field) -> str:
    """The response key of a field fetched beside another use of its name: stable for the same
    field and arguments, so every fetch and representation of one plan agrees on it."""
    return f"{sel.name}__fg{zlib.crc32(sel.args_text.encode()) % 100000}"


class InternalAliases:
    """Per planning session; selections are compared by identity and kept alive here."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[tuple[Sel, ...], dict[str, list[Field]]]] = {}
        self._keepalive: list[tuple[Sel, ...]] = []
        # object path -> response key -> arguments of the required field planned there first
        self._required: dict[tuple[PathElement, ...], dict[str, str]] = {}

    def _reserved(self, client: tuple[Sel, ...]) -> dict[str, list[Field]]:
        """Response keys the client uses on one object (through every fragment: a key taken
        under any type condition is taken) -> the client fields using it."""
        cached = self._cache.get(id(client))
        if cached is not None and cached[0] is client:
            return cached[1]
        reserved: dict[str, list[Field]] = {}
        stack = list(client)
        while stack:
            sel = stack.pop()
            if isinstance(sel, Field):
                reserved.setdefault(sel.response_key, []).append(sel)
            else:
                stack.extend(sel.selections)
        self._cache[id(client)] = (client, reserved)
        return reserved

    def separate(self, path: tuple[PathElement, ...], sels: tuple[Sel, ...]) -> tuple[Sel, ...]:
        """Required fields (after `apply`) at the object at `path`, aliased where an earlier
        requirement of the same object used their response key with other arguments."""
        seen = self._required.setdefault(path, {})
        changed = False
        out: list[Sel] = []
        for sel in sels:
            if isinstance(sel, Fragment):
                # a fragment of a field set selects on the same object
                inner = self.separate(path, sel.selections)
                if inner is not sel.selections:
                    sel = replace(sel, selections=inner)
                    changed = True
                out.append(sel)
                continue
            key = sel.response_key
            if seen.setdefault(key, sel.args_text) != sel.args_text:
                key = _internal_alias(sel)
                seen.setdefault(key, sel.args_text)
                sel = replace(sel, alias=key, response_key=key)
                changed = True
            if sel.selections:
                inner = self.separate((*path, key), sel.selections)
                if inner is not sel.selections:
                    sel = replace(sel, selections=inner)
                    changed = True
            out.append(sel)
        if not changed:
            return sels
        result = tuple(out)
        self._keepalive.append(result)
        return result

    def apply(self, sels: tuple[Sel, ...], client: tuple[Sel, ...]) -> tuple[Sel, ...]:
        """Key / requires fields, aliased where the client uses their response key for something
        else (another field or other arguments), at any depth: both then live side by side in
        the merged data, and the representation reads the alias."""
        reserved = self._reserved(client) if client else {}
        if not reserved:
            return sels
        changed = False
        out: list[Sel] = []
        for sel in sels:
            if isinstance(sel, Fragment):
                inner = self.apply(sel.selections, client)
                if inner is not sel.selections:
                    sel = replace(sel, selections=inner)
                    changed = True
            elif sel.alias is None and sel.name in reserved:
                owners = reserved[sel.name]
                if any((o.name, o.args_text) != (sel.name, sel.args_text) for o in owners):
                    alias = _internal_alias(sel)
                    sel = replace(sel, alias=alias, response_key=alias)
                    changed = True
                elif sel.selections:
                    # the client selects this very field: below it, the same object is shared
                    below = tuple(s for o in owners for s in o.selections)
                    self._keepalive.append(below)
                    inner = self.apply(sel.selections, below)
                    if inner is not sel.selections:
                        sel = replace(sel, selections=inner)
                        changed = True
            out.append(sel)
        if not changed:
            return sels
        result = tuple(out)
        self._keepalive.append(result)
        return result
