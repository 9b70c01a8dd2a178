"""The cost model the planner uses to choose between graphs: roughly how many extra fetches a
selection needs when started in a given subgraph (`BIG` when it cannot be completed there)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from router.planner.graph_index import GraphIndex, Hop, PlanningError
from router.planner.selections import Field, Fragment, Sel

__all__ = ["BIG", "CostModel"]

BIG = 1000
_T = TypeVar("_T")


class CostModel:
    """Memoised per planning session: selections are compared by identity, so every tuple
    used as a key is kept alive for the session."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self.sg = index.sg
        self._collect_cache: dict[tuple[int, str], tuple[tuple[Sel, ...], tuple[Sel, ...]]] = {}
        self._keepalive: list[tuple[Sel, ...]] = []
        self._parts: dict[tuple[int, ...], Field] = {}
        self._cost_cache: dict[tuple[str, str, int, tuple[Sel, ...] | None, bool], int] = {}

    def collect(self, sels: tuple[Sel, ...], type_name: str) -> tuple[Sel, ...]:
        """The selections that apply to objects of `type_name` (unconditional fragments inlined)."""
        key = (id(sels), type_name)
        cached = self._collect_cache.get(key)
        if cached is not None and cached[0] is sels:
            return cached[1]
        out: list[Sel] = []
        for sel in sels:
            if isinstance(sel, Field):
                out.append(sel)
            elif self.index.applies(sel.type_condition, type_name):
                inner = self.collect(sel.selections, type_name)
                if sel.directives_text:
                    out.append(Fragment(None, sel.directives_text, sel.variables, inner))
                else:
                    out.extend(inner)
        result = tuple(out)
        self._collect_cache[key] = (sels, result)
        return result

    def cost(
        self,
        graph: str,
        type_name: str,
        sels: tuple[Sel, ...],
        provided: tuple[Sel, ...] | None,
        key_mode: bool = False,
    ) -> int:
        """Roughly how many extra fetches `sels` needs when started in `graph` (BIG: impossible)."""
        if not sels or not self.index.is_composite(type_name):
            return 0
        key = (graph, type_name, id(sels), provided, key_mode)
        cached = self._cost_cache.get(key)
        if cached is not None:
            return cached
        self._cost_cache[key] = BIG  # a selection that needs itself is impossible
        total = 0
        if self.index.is_abstract(type_name) and not self.sg.is_interface_object(type_name, graph):
            runtimes = sorted(self.sg.graph_possible_types(graph, type_name))
            for runtime in runtimes:
                total += self.cost(graph, runtime, self.collect(sels, runtime), provided, key_mode)
            kept = self.collect(sels, type_name)
            if not runtimes and not all(self._kept_without_types(graph, type_name, s) for s in kept):
                total = BIG
            elif not runtimes:
                # objects typed by other graphs: one more fetch per type whose fields are asked
                for runtime in self.sg.possible_types.get(type_name, ()):
                    if any(
                        isinstance(s, Field)
                        and s.name != "__typename"
                        and not self.index.serves(graph, type_name, s.name)
                        for s in self.collect(sels, runtime)
                    ):
                        total += 1
        else:
            total = self._object_cost(graph, type_name, self.collect(sels, type_name), provided, key_mode)
        total = min(total, BIG)
        self._cost_cache[key] = total
        return total

    def _object_cost(
        self,
        graph: str,
        type_name: str,
        sels: tuple[Sel, ...],
        provided: tuple[Sel, ...] | None,
        key_mode: bool,
    ) -> int:
        total = 0
        # fields jumping to one graph from one object share that fetch: count it once
        jumps: set[str] = set()
        interface_object = self.sg.is_interface_object(type_name, graph)
        stack = list(sels)
        while stack:
            sel = stack.pop()
            if isinstance(sel, Fragment):
                stack.extend(sel.selections)
            elif sel.name == "__typename":
                total += 1 if interface_object else 0
            else:
                cost, target = self._field_cost(graph, type_name, sel, provided, key_mode)
                if target is not None:
                    jumps.add(target)
                    cost -= 1
                total += cost
        return total + len(jumps)

    def _field_cost(
        self, graph: str, type_name: str, sel: Field, provided: tuple[Sel, ...] | None, key_mode: bool
    ) -> tuple[int, str | None]:
        """(cost of the field from `graph`, the graph it jumps to when it cannot stay)."""
        ok, sub = self.index.local(graph, type_name, sel.name, provided, key_mode)
        requires = self.index.requires(graph, type_name, sel.name) if sub is None else None
        local = ok and requires is None
        sub_provided = self._provided(graph, type_name, sel.name, sub)
        if local:
            child = self.index.child_type(graph, type_name, sel.name)
            stay = self.cost(graph, child, sel.selections, sub_provided, key_mode)
            if stay < BIG:
                return stay, None
        best = self._best_hop(graph, type_name, sel, provided)
        if best is not None:
            return best[1], best[0].graph
        if not sel.selections or (ok and requires is not None):
            return BIG, None
        return self._split_cost(graph, type_name, sel, provided, key_mode, local, sub_provided), None

    def _split_cost(
        self,
        graph: str,
        type_name: str,
        sel: Field,
        provided: tuple[Sel, ...] | None,
        key_mode: bool,
        local: bool,
        sub_provided: tuple[Sel, ...] | None,
    ) -> int:
        """No single place completes `sel`: each sub-selection from wherever it is cheapest."""
        child = self.index.child_type(graph, type_name, sel.name)
        total = 0
        for part_sel in sel.selections:
            part = self._part(sel, (part_sel,))
            costs = [
                self._hop_cost(graph, type_name, hop, part, provided)
                for hop in self.index.candidates(type_name, sel.name)
            ]
            if local:
                costs.append(self.cost(graph, child, part.selections, sub_provided, key_mode))
            total += min(costs, default=BIG)
            if total >= BIG:
                return BIG
        return total

    def root_assignments(
        self, type_name: str, sel: Field, used: set[str], allow_split: bool
    ) -> list[tuple[str, Field]]:
        """Which graph(s) serve a root field: the cheapest single graph, or — for a shared
        query field whose selection no single graph completes — the field once per graph with
        the part of the selection that graph can answer (root fields need no key)."""
        info = self.index.field(type_name, sel.name)
        if info is None or not info.serving:
            raise PlanningError(f"no subgraph serves {type_name}.{sel.name}")

        def cost(graph: str, part: Field) -> int:
            child = self.index.child_type(graph, type_name, sel.name)
            provided = self.index.provides(graph, type_name, sel.name)
            return self.cost(graph, child, part.selections, provided)

        def score(graph: str) -> tuple[int, int, int, int]:
            fetches = cost(graph, sel)
            if fetches >= BIG:
                return (fetches, 0, 0, self.index.order(graph))
            child = self.index.child_type(graph, type_name, sel.name)
            misses = self.misses(
                graph, child, sel.selections, self.index.provides(graph, type_name, sel.name)
            )
            return (fetches, 0 if graph in used else 1, misses, self.index.order(graph))

        graphs = sorted(info.serving, key=score)
        best = score(graphs[0])[0]
        if best < BIG:
            if allow_split and best > 0 and len(graphs) > 1:
                parallel = self._parallel_roots(sel, graphs, cost, best)
                if parallel is not None:
                    return parallel
            return [(graphs[0], sel)]
        if not allow_split or not sel.selections:
            raise PlanningError(f"no subgraph can resolve the selection of {type_name}.{sel.name}")
        return self._split(sel, graphs, cost)

    def _parallel_roots(
        self, sel: Field, graphs: list[str], cost: Callable[[str, Field], int], best: int
    ) -> list[tuple[str, Field]] | None:
        """A shared (@shareable) root field whose best single graph still needs entity fetches
        after it: when every part of the selection is answered by some serving graph on its own,
        fetch the root field from those graphs in parallel instead — no sequential step and no
        more fetches (what Apollo's and Hive's planners do). The same field text, arguments
        included, goes to each graph; composition keeps only arguments every graph defines."""

        def complete(graph: str, part: Field) -> int:
            return 0 if cost(graph, part) == 0 else BIG

        try:
            parts = self._split(sel, graphs, complete)
        except PlanningError:
            return None
        if len(parts) < 2 or len(parts) > 1 + best:
            return None
        return parts

    def misses(
        self, graph: str, type_name: str, sels: tuple[Sel, ...], provided: tuple[Sel, ...] | None
    ) -> int:
        """How many of the fields in `sels` `graph` cannot return itself (a tie-breaker between
        graphs needing as many fetches: the one answering more of the selection moves less)."""
        if not sels or not self.index.is_composite(type_name):
            return 0
        runtimes = [type_name]
        if self.index.is_abstract(type_name) and not self.sg.is_interface_object(type_name, graph):
            runtimes = sorted(self.sg.graph_possible_types(graph, type_name)) or runtimes
        total = 0
        for runtime in runtimes:
            stack = list(self.collect(sels, runtime))
            while stack:
                sel = stack.pop()
                if isinstance(sel, Fragment):
                    stack.extend(sel.selections)
                    continue
                if sel.name == "__typename":
                    continue
                ok, sub = self.index.local(graph, runtime, sel.name, provided)
                if not ok:
                    total += 1
                elif sel.selections:
                    child = self.index.child_type(graph, runtime, sel.name)
                    total += self.misses(
                        graph, child, sel.selections, self._provided(graph, runtime, sel.name, sub)
                    )
        return total

    def _provided(
        self, graph: str, type_name: str, name: str, sub: tuple[Sel, ...] | None
    ) -> tuple[Sel, ...] | None:
        provides = self.index.provides(graph, type_name, name)
        if provides is None:
            return sub
        if sub is None:
            return provides
        return sub + provides

    def _hop_cost(
        self, graph: str, type_name: str, hop: Hop, sel: Field | None, provided: tuple[Sel, ...] | None
    ) -> int:
        """Fetches needed to jump through `hop` (key and requires first) and finish `sel` there."""
        total = 1 + self.cost(graph, type_name, hop.key, provided, True)
        if sel is not None:
            requires = self.index.requires(hop.graph, hop.entity_type, sel.name)
            if requires:
                total += self.cost(graph, type_name, requires, provided)
            child = self.index.child_type(hop.graph, hop.entity_type, sel.name)
            sub_provided = self.index.provides(hop.graph, hop.entity_type, sel.name)
            total += self.cost(hop.graph, child, sel.selections, sub_provided)
        return min(total, BIG)

    def _best_hop(
        self,
        graph: str,
        type_name: str,
        sel: Field,
        provided: tuple[Sel, ...] | None,
        exclude: frozenset[Hop] = frozenset(),
    ) -> tuple[Hop, int] | None:
        best: tuple[tuple[int, int], Hop, int] | None = None
        for hop in self.index.candidates(type_name, sel.name):
            if hop in exclude:
                continue
            cost = self._hop_cost(graph, type_name, hop, sel, provided)
            if cost >= BIG:
                continue
            score = (cost, self.index.order(hop.graph))
            if best is None or score < best[0]:
                best = (score, hop, cost)
        return None if best is None else (best[1], best[2])

    def _part(self, sel: Field, sels: tuple[Sel, ...]) -> Field:
        """`sel` restricted to `sels` (one object per distinct part, so costs memoize)."""
        key = (id(sel), *(id(s) for s in sels))
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = replace(sel, selections=sels)
            self._keepalive.append((sel, *sels))
        return part

    def _split(
        self, sel: Field, options: list[_T], cost: Callable[[_T, Field], int]
    ) -> list[tuple[_T, Field]]:
        """Cover the sub-selections of `sel` greedily with the options able to answer them."""
        remaining = list(sel.selections)
        result: list[tuple[_T, Field]] = []
        while remaining:
            best: tuple[_T, list[Sel]] | None = None
            for option in options:
                doable = [s for s in remaining if cost(option, self._part(sel, (s,))) < BIG]
                if doable and (best is None or len(doable) > len(best[1])):
                    best = (option, doable)
            if best is None:
                raise PlanningError(f"no subgraph can resolve part of the selection of {sel.name}")
            result.append((best[0], self._part(sel, tuple(best[1]))))
            remaining = [s for s in remaining if all(s is not d for d in best[1])]
        return result

    def _kept_without_types(self, graph: str, type_name: str, sel: Sel) -> bool:
        """With no implementation known to `graph`, only the abstract type's own leaf fields
        that `graph` serves can be asked (fragments on other types select nothing there)."""
        if isinstance(sel, Fragment):
            return all(self._kept_without_types(graph, type_name, s) for s in sel.selections)
        if sel.name == "__typename":
            return True
        return self.index.serves(graph, type_name, sel.name) and not sel.selections
