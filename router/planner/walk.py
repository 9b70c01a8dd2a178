"""The planning walk (FEDERATION.md §2): place every client field in a fetch group.

The walk descends the client selection with a position (group, graph, type, response path).
A field the current graph serves stays in the current group. Otherwise the cost model picks a
jump — an (entity type, key, graph) that resolves the field — and the walk plans the key fields
(and the field's `@requires`) at the current position *as if the client had asked for them*, so
they may come from yet other graphs; the target entity group then depends on every group that
received them. Abstract types explode into their runtime types as the serving graph knows them;
@interfaceObject positions ask a real-interface graph for the concrete type when the operation
needs it. A selection no single place completes is split between several. Groups created only
for a field under @skip/@include carry that condition (Condition nodes).
"""

from __future__ import annotations

from router.planner.costs import BIG as _BIG
from router.planner.graph_index import GraphIndex, Hop, PlanningError
from router.planner.group_builder import GroupBuilder
from router.planner.groups import Container, FetchGroup
from router.planner.internal import InternalAliases
from router.planner.nodes import PathElement, TypeCondition, ValueSetter
from router.planner.position import Pos, bare_typename, conditions
from router.planner.selections import Field, Fragment, Sel

__all__ = ["Walk"]


class Walk(GroupBuilder):
    """One planning session for one operation; holds the groups it creates."""

    def __init__(self, index: GraphIndex, kind: str) -> None:
        super().__init__(index, kind)
        self.local_fields: list[str] = []
        self._active: dict[tuple[PathElement, ...], set[Hop]] = {}  # hops whose keys are being planned
        self._aliases = InternalAliases()

    # -- the walk ---------------------------------------------------------------------------

    def plan_root(self, group: FetchGroup, container: Container, type_name: str, sel: Field) -> None:
        pos = Pos(group, group.graph, type_name, container, container, (), (), None)  # root object
        self._add_local(pos, sel, None)

    def plan_selection(self, pos: Pos, sels: tuple[Sel, ...]) -> None:
        info = self.sg.types.get(pos.type_name)
        if info is None or not info.is_composite:
            return
        if info.kind == "object":
            self.plan_object(pos, sels)
        elif self.sg.is_interface_object(pos.type_name, pos.graph):
            self._plan_interface_object(pos, sels)
        else:
            self._plan_abstract(pos, sels)

    def plan_object(self, pos: Pos, sels: tuple[Sel, ...]) -> None:
        for sel in sels:
            if isinstance(sel, Fragment):
                if not self.index.applies(sel.type_condition, pos.type_name):
                    continue
                if sel.directives_text:
                    sub = pos.container.fragment(None, sel.directives_text, sel.variables)
                    conds = (*pos.conds, (sel.directives_text, sel.variables))
                    self.plan_object(pos.inside(sub, conds), sel.selections)
                else:
                    self.plan_object(pos, sel.selections)
            elif sel.name == "__typename":
                pos.container.field("__typename", sel.alias, "", sel.directives_text, False, sel.variables)
                self._touch(pos.group)
            else:
                self._plan_field(pos, sel)

    def _plan_field(self, pos: Pos, sel: Field) -> None:
        graph, type_name = pos.graph, pos.type_name
        info = self.index.field(type_name, sel.name)
        if info is None:
            raise PlanningError(f"unknown field {type_name}.{sel.name}")
        ok, sub = self.index.local(graph, type_name, sel.name, pos.provided, pos.key_mode)
        if ok and (sub is not None or self.index.requires(graph, type_name, sel.name) is None):
            if sel.selections and self.index.is_composite(info.type_name):
                child = self.index.child_type(graph, type_name, sel.name)
                sub_provided = self._provided(graph, type_name, sel.name, sub)
                stay = self.cost(graph, child, sel.selections, sub_provided, pos.key_mode)
                if stay > 0:
                    # a shareable field may be cheaper from another graph than from here
                    alternative = self._best_hop(graph, type_name, sel, pos.provided, self._entering(pos))
                    if alternative is not None and alternative[1] < stay:
                        self._jump(pos, sel, alternative[0])
                        return
                    if stay >= _BIG:
                        self._plan_split(pos, sel, sub)
                        return
            self._add_local(pos, sel, sub)
            return
        best = self._best_hop(graph, type_name, sel, pos.provided, self._entering(pos))
        if best is not None:
            self._jump(pos, sel, best[0])
        elif sel.selections and not self.index.requires(graph, type_name, sel.name):
            self._plan_split(pos, sel, sub if ok else None, local=ok)
        else:
            raise PlanningError(f"cannot reach {type_name}.{sel.name} from subgraph {graph!r}")

    def _plan_split(self, pos: Pos, sel: Field, sub: tuple[Sel, ...] | None, local: bool = True) -> None:
        """No single graph completes the selection under `sel` (a value type shared by several
        graphs): fetch the field from several places, each with the part it can answer."""
        graph, type_name = pos.graph, pos.type_name
        options: list[Hop | None] = [None] if local else []
        options.extend(self.index.candidates(type_name, sel.name))
        child = self.index.child_type(graph, type_name, sel.name)
        sub_provided = self._provided(graph, type_name, sel.name, sub)

        def cost(option: Hop | None, part: Field) -> int:
            if option is None:
                return self.cost(graph, child, part.selections, sub_provided, pos.key_mode)
            return self._hop_cost(graph, type_name, option, part, pos.provided)

        for option, part in self._split(sel, options, cost):
            if option is None:
                self._add_local(pos, part, sub)
            else:
                self._jump(pos, part, option)

    def _add_local(self, pos: Pos, sel: Field, sub: tuple[Sel, ...] | None) -> None:
        info = self.index.field(pos.type_name, sel.name)
        assert info is not None
        composite = self.index.is_composite(info.type_name)
        item = pos.container.field(
            sel.name,
            sel.alias,
            sel.args_text,
            sel.directives_text,
            composite,
            sel.variables,
            self.index.type_text(pos.graph, pos.type_name, sel.name),
        )
        self._touch(pos.group)
        if item.sub is None:
            return
        child = self.index.child_type(pos.graph, pos.type_name, sel.name)
        if child != info.type_name and self.index.is_abstract(info.type_name):
            # abstract for the client, narrowed to an object here: projection still needs the type
            item.sub.field("__typename")
        path = (*pos.path, sel.response_key, *(["@"] * info.list_depth))
        provided = self._provided(pos.graph, pos.type_name, sel.name, sub)
        cpos = Pos(
            pos.group, pos.graph, child, item.sub, item.sub, path, (), provided, pos.key_mode, sel.selections
        )
        outer = self._scope
        if sel.directives_text or pos.conds:
            self._scope = outer | conditions([sel.directives_text, *(text for text, _ in pos.conds)])
        try:
            self.plan_selection(cpos, sel.selections)
        finally:
            self._scope = outer

    def _plan_abstract(self, pos: Pos, sels: tuple[Sel, ...]) -> None:
        pos.base.field("__typename")
        self._touch(pos.group)
        runtimes = sorted(self.sg.graph_possible_types(pos.graph, pos.type_name))
        if not runtimes:
            # nothing can come back but the type's own fields: ask them directly (the
            # subgraph answers or fails, as it sees fit)
            kept = self.collect(sels, pos.type_name)
            if not all(self._kept_without_types(pos.graph, pos.type_name, sel) for sel in kept):
                raise PlanningError(
                    f"{pos.type_name} has no implementation in subgraph {pos.graph!r} to resolve the selection"
                )
            self._add_own_fields(pos, kept)
            self._plan_foreign_runtimes(pos, sels, {id(s) for s in kept})
            return
        for runtime in runtimes:
            # the bare `__typename` is already selected once on the abstract level
            sub = tuple(s for s in self.collect(sels, runtime) if not bare_typename(s))
            if not sub:
                continue
            container = pos.container.fragment(runtime)
            path = (*pos.path, TypeCondition(frozenset((runtime,))))
            rpos = Pos(
                pos.group, pos.graph, runtime, container, container, path, (), pos.provided, pos.key_mode, sub
            )
            self.plan_object(rpos, sub)

    def _plan_foreign_runtimes(self, pos: Pos, sels: tuple[Sel, ...], done: set[int]) -> None:
        """`pos.graph` knows the abstract type but none of its implementations (a Federation 1
        `node` resolver): each object comes back as a type other graphs own, reached through
        a key made of the abstract type's own fields (fetched here)."""
        for runtime in sorted(self.sg.possible_types.get(pos.type_name, ())):
            rest = [
                s
                for s in self.collect(sels, runtime)
                if isinstance(s, Field) and id(s) not in done and not bare_typename(s)
            ]
            path = (*pos.path, TypeCondition(frozenset((runtime,))))
            typed = Pos(
                pos.group,
                pos.graph,
                pos.type_name,
                pos.container,
                pos.base,
                path,
                pos.conds,
                pos.provided,
                pos.key_mode,
                pos.client,
            )
            for sel in rest:
                if self.index.serves(pos.graph, pos.type_name, sel.name):
                    self._add_local(pos, sel, None)
                    continue
                best: tuple[int, Hop] | None = None
                for hop in self.index.candidates(runtime, sel.name):
                    cost = self._hop_cost(pos.graph, pos.type_name, hop, sel, pos.provided)
                    if cost < _BIG and (best is None or cost < best[0]):
                        best = (cost, hop)
                if best is not None:
                    self._jump(typed, sel, best[1])

    def _add_own_fields(self, pos: Pos, sels: tuple[Sel, ...]) -> None:
        for sel in sels:
            if isinstance(sel, Fragment):
                inner = pos.inside(
                    pos.container.fragment(None, sel.directives_text, sel.variables), pos.conds
                )
                self._add_own_fields(inner, sel.selections)
            elif not bare_typename(sel):
                self._add_local(pos, sel, None)

    def _needs_real_type(self, sel: Sel, interface: str) -> bool:
        if isinstance(sel, Field):
            return sel.name == "__typename"
        if sel.type_condition not in (None, interface) and not self.index.applies(
            sel.type_condition, interface
        ):
            return True
        return any(self._needs_real_type(s, interface) for s in sel.selections)

    def _plan_interface_object(self, pos: Pos, sels: tuple[Sel, ...]) -> None:
        """`pos.graph` models this interface as an object (@interfaceObject): only a graph where
        it is a real interface knows each object's concrete type (FEDERATION.md §1, §2.5)."""
        interface = pos.type_name
        if not pos.group.is_entity:
            # the interface's own name: enough for fragments on the interface itself; a real
            # type, when the operation needs one, comes from the jump below
            pos.base.field("__typename")
        here = tuple(s for s in sels if not self._needs_real_type(s, interface))
        rest = tuple(s for s in sels if self._needs_real_type(s, interface))
        self.plan_object(pos, here)
        if not rest:
            return
        best: tuple[int, Hop] | None = None
        for hop in self.index.real_interface_candidates(interface, pos.graph):
            cost = self._hop_cost(pos.graph, interface, hop, None, pos.provided)
            if cost < _BIG and (best is None or cost < best[0]):
                best = (cost, hop)
        if best is None:
            raise PlanningError(f"no subgraph can tell the concrete type of {interface}")
        self._plan_abstract(self._enter(pos, best[1], None), rest)

    def _enter(self, pos: Pos, hop: Hop, requires: tuple[Sel, ...] | None) -> Pos:
        """Plan the key (and requires) at `pos`, then open (or reuse) the entity group of `hop`
        that runs after every group providing them."""
        exploded = bool(pos.path) and isinstance(pos.path[-1], TypeCondition)
        # An exploded type already has __typename on the abstract level. Inside an entity
        # fetch to an @interfaceObject graph the object already carries its concrete type,
        # which that graph's __typename (the interface name) must not overwrite.
        borrowed = pos.group.is_entity and self.sg.is_interface_object(pos.type_name, pos.graph)
        if not exploded and not borrowed:
            pos.base.field("__typename")
        self._touch(pos.group)
        key = self._aliases.apply(hop.key, pos.client)
        # a key whose fields need this very jump again can never be collected
        active = self._active.setdefault(pos.path, set())
        if hop in active:
            raise PlanningError(f"cyclic key dependency for {hop.entity_type} in subgraph {hop.graph!r}")
        active.add(hop)
        try:
            deps = self._plan_collect(pos.at_base(True), key)
        finally:
            active.discard(hop)
        if requires:
            requires = self._aliases.separate(pos.path, self._aliases.apply(requires, pos.client))
            deps |= self._plan_collect(pos.at_base(False), requires)
        sources = self._source_types(pos)
        sent = (*key, *requires) if requires else ()
        # only requirements can clash with a group's representations (keys are the same for
        # every object at one path): a key-only jump reuses any group
        group = self._child_group(
            pos.group,
            hop.graph,
            pos.path,
            deps,
            id(hop.key),
            (lambda candidate: self._fits_requires(candidate, sources, pos.type_name, sent))
            if sent
            else None,
        )
        self._touch(group)
        for source in sources:
            container = group.requires_for(source)
            container.field("__typename")
            self._copy(container, pos.type_name, key)
            if requires:
                self._copy(container, pos.type_name, requires)
            if hop.interface_object and source != hop.entity_type:
                group.rewrites[source] = ValueSetter((f"... on {source}", "__typename"), hop.entity_type)
        container = group.entity(hop.entity_type)
        return Pos(
            group, hop.graph, hop.entity_type, container, container, pos.path, (), None, False, pos.client
        )

    def _entering(self, pos: Pos) -> frozenset[Hop]:
        """Hops whose keys are being collected at this position (not candidates for them)."""
        return frozenset(self._active.get(pos.path, ()))

    def _jump(self, pos: Pos, sel: Field, hop: Hop) -> None:
        outer = self._scope
        self._scope = outer | conditions([sel.directives_text, *(text for text, _ in pos.conds)])
        try:
            requires = self.index.requires(hop.graph, hop.entity_type, sel.name)
            current = self._enter(pos, hop, requires)
            container = current.container
            for text, variables in pos.conds:
                container = container.fragment(None, text, variables)
            self._add_local(current.inside(container, pos.conds), sel, None)
        finally:
            self._scope = outer

    def _plan_collect(self, pos: Pos, sels: tuple[Sel, ...]) -> set[FetchGroup]:
        """Plan `sels` at `pos`; return every group that received part of them."""
        touched: set[FetchGroup] = set()
        self._touch_stack.append(touched)
        try:
            self.plan_object(pos, sels)
        finally:
            self._touch_stack.pop()
        return touched
