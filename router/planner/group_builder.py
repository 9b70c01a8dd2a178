"""Fetch-group bookkeeping of the planning walk (FEDERATION.md §2): creating groups, reusing
a child group per (parent, graph, path, key), and the representation a group receives."""

from __future__ import annotations

from collections.abc import Callable

from router.planner.costs import CostModel
from router.planner.graph_index import GraphIndex
from router.planner.groups import Container, FetchGroup, FieldItem, FragmentItem
from router.planner.nodes import PathElement, TypeCondition
from router.planner.position import Pos
from router.planner.selections import Field, Sel

__all__ = ["GroupBuilder"]


class GroupBuilder(CostModel):
    """The groups one planning session creates; `Walk` places selections into them."""

    def __init__(self, index: GraphIndex, kind: str) -> None:
        super().__init__(index)
        self.kind = kind
        self.groups: list[FetchGroup] = []
        self._children: dict[tuple[int, str, tuple[PathElement, ...], int], list[FetchGroup]] = {}
        self._touch_stack: list[set[FetchGroup]] = []
        # conditions of the field being planned: groups created for it run only when they hold
        self._scope: frozenset[tuple[str, bool]] = frozenset()

    # -- groups -----------------------------------------------------------------------------

    def new_group(self, graph: str, parent: FetchGroup | None, path: tuple[PathElement, ...]) -> FetchGroup:
        group = FetchGroup(
            id=len(self.groups),
            graph=graph,
            kind=self.kind if parent is None else "query",
            parent=parent,
            path=path,
            condition=self._scope if parent is not None else frozenset(),
        )
        self.groups.append(group)
        return group

    def _touch(self, group: FetchGroup) -> None:
        for touched in self._touch_stack:
            touched.add(group)

    def _child_group(
        self,
        parent: FetchGroup,
        graph: str,
        path: tuple[PathElement, ...],
        deps: set[FetchGroup],
        key_id: int,
        fits: Callable[[FetchGroup], bool] | None = None,
    ) -> FetchGroup:
        conditioned = bool(path) and isinstance(path[-1], TypeCondition)
        base = path[:-1] if conditioned else path
        # one key per group: a representation carries exactly the key its graph resolves by
        key = (parent.id, graph, base, key_id)
        candidates = self._children.setdefault(key, [])
        chosen: FetchGroup | None = None
        for candidate in candidates:
            if (fits is None or fits(candidate)) and all(
                d is not candidate and not d.depends_on(candidate) for d in deps
            ):
                chosen = candidate
                break
        if chosen is None:
            chosen = self.new_group(graph, parent, base)
            candidates.append(chosen)
        else:
            # needed under either condition: only what both share still holds
            chosen.condition = chosen.condition & self._scope
        if conditioned:
            last = path[-1]
            assert isinstance(last, TypeCondition)
            if chosen.cond_types is None:
                chosen.cond_types = set()
            chosen.cond_types.update(last.types)
        else:
            chosen.unconditional = True
        chosen.deps.update(d for d in deps if d is not chosen and d is not parent)
        return chosen

    # -- selections helpers -----------------------------------------------------------------

    def _copy(self, container: Container, type_name: str, sels: tuple[Sel, ...]) -> None:
        """Copy a field set (requires) into `container`, `__typename` on abstract types."""
        for sel in sels:
            if isinstance(sel, Field):
                info = self.index.field(type_name, sel.name)
                composite = info is not None and self.index.is_composite(info.type_name)
                item = container.field(sel.name, sel.alias, sel.args_text, "", composite)
                if item.sub is not None and info is not None:
                    if self.index.is_abstract(info.type_name):
                        item.sub.field("__typename")
                    self._copy(item.sub, info.type_name, sel.selections)
            else:
                self._copy(
                    container.fragment(sel.type_condition), sel.type_condition or type_name, sel.selections
                )

    def _fits_requires(
        self, group: FetchGroup, sources: list[str], type_name: str, sels: tuple[Sel, ...]
    ) -> bool:
        """Whether the representations of `group` can also carry `sels` (key and requires): no
        field would be sent twice with different values (arguments or source alias)."""
        scratch = Container()
        self._copy(scratch, type_name, sels)
        return not any(
            source in group.requires and _clash(group.requires[source], scratch) for source in sources
        )

    def _source_types(self, pos: Pos) -> list[str]:
        info = self.sg.types[pos.type_name]
        if info.kind == "object":
            return [pos.type_name]
        return [pos.type_name, *sorted(self.sg.possible_types.get(pos.type_name, ()))]


def _written(container: Container, out: dict[str, list[FieldItem]]) -> dict[str, list[FieldItem]]:
    """Fields of a representation by the key they are written as (their real name); fragments
    write into the same object."""
    for item in container.items.values():
        if isinstance(item, FieldItem):
            out.setdefault(item.name, []).append(item)
        elif isinstance(item, FragmentItem):
            _written(item.sub, out)
    return out


def _clash(existing: Container, added: Container) -> bool:
    """True when merging `added` into `existing` would write one representation key from two
    different values (e.g. `price` read from `price` and from `price__fg…`)."""
    have = _written(existing, {})
    for name, items in _written(added, {}).items():
        for new in items:
            for old in have.get(name, ()):
                if (new.alias, new.args_text) != (old.alias, old.args_text):
                    return True
                if new.sub is not None and old.sub is not None and _clash(old.sub, new.sub):
                    return True
    return False
