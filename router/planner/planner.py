"""`QueryPlanner(supergraph).plan(document, operation_name) -> QueryPlan` (pure, deterministic)."""

from __future__ import annotations

from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, print_ast

from router.planner.build import build_node
from router.planner.graph_index import GraphIndex, PlanningError
from router.planner.groups import Container, FetchGroup
from router.planner.nodes import PlanNode, QueryPlan, SequenceNode
from router.planner.selections import Field, Sel, normalize
from router.planner.walk import Walk
from router.supergraph.model import Supergraph

__all__ = ["PlanningError", "QueryPlanner"]

_LOCAL_ROOT_FIELDS = frozenset({"__typename", "__schema", "__type"})


def _select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise PlanningError("an operation name is required when the document has several operations")
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise PlanningError(f"unknown operation {operation_name!r}")


class QueryPlanner:
    """Plans operations over one supergraph. Pure and deterministic: the same (document,
    operation name) always gives an equal plan, whatever the variable values (the caller
    caches plans by document hash and operation name)."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.index = GraphIndex(supergraph)

    def plan(self, document: DocumentNode, operation_name: str | None = None) -> QueryPlan:
        """Plan an operation of a document already validated against the API schema.

        Raises PlanningError when no combination of subgraphs can resolve the selection."""
        operation = _select_operation(document, operation_name)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        kind = operation.operation.value
        root_type = {
            "query": self.supergraph.query_type,
            "mutation": self.supergraph.mutation_type,
            "subscription": self.supergraph.subscription_type,
        }[kind]
        if root_type is None:
            raise PlanningError(f"the supergraph has no {kind} type")
        definitions = {
            v.variable.name.value: print_ast(v) for v in operation.variable_definitions or ()
        }
        name = operation.name.value if operation.name else None
        walk = Walk(self.index, kind)
        sels = normalize(operation.selection_set, fragments)
        counter = [0]
        if kind == "mutation":
            node = self._plan_mutation(walk, root_type, sels, name, definitions, counter)
        else:
            self._plan_roots(walk, root_type, sels)
            node = build_node(walk.groups, name, definitions, counter)
        return QueryPlan(node=node, local_fields=tuple(walk.local_fields))

    def _root_fields(
        self, walk: Walk, root_type: str, sels: tuple[Sel, ...], conds: tuple[tuple[str, frozenset[str]], ...] = ()
    ) -> list[tuple[Field, tuple[tuple[str, frozenset[str]], ...]]]:
        result: list[tuple[Field, tuple[tuple[str, frozenset[str]], ...]]] = []
        for sel in walk.collect(sels, root_type):
            if isinstance(sel, Field):
                if sel.name in _LOCAL_ROOT_FIELDS:
                    walk.local_fields.append(sel.response_key)
                else:
                    result.append((sel, conds))
            else:
                inner = (*conds, (sel.directives_text, sel.variables))
                result.extend(self._root_fields(walk, root_type, sel.selections, inner))
        return result

    @staticmethod
    def _always_null(walk: Walk, root_type: str, sel: Field) -> bool:
        """Whether `sel` returns an abstract type no object implements in any subgraph: no
        value but null can exist there, so an unplannable selection on it needs no fetch
        (what Apollo's planner does; a selection some graph serves is still fetched)."""
        info = walk.index.field(root_type, sel.name)
        if info is None or not walk.index.is_abstract(info.type_name):
            return False
        return not walk.sg.possible_types.get(info.type_name)

    @staticmethod
    def _container(group: FetchGroup, conds: tuple[tuple[str, frozenset[str]], ...]) -> Container:
        container = group.root
        for text, variables in conds:
            container = container.fragment(None, text, variables)
        return container

    def _plan_roots(self, walk: Walk, root_type: str, sels: tuple[Sel, ...]) -> None:
        roots: dict[str, FetchGroup] = {}
        for sel, conds in self._root_fields(walk, root_type, sels):
            try:
                assignments = walk.root_assignments(root_type, sel, set(roots), walk.kind == "query")
            except PlanningError:
                if not self._always_null(walk, root_type, sel):
                    raise
                # no fetch: the response has no value for it, which reads as null
                continue
            for graph, part in assignments:
                group = roots.get(graph)
                if group is None:
                    group = roots[graph] = walk.new_group(graph, None, ())
                walk.plan_root(group, self._container(group, conds), root_type, part)

    def _plan_mutation(
        self,
        walk: Walk,
        root_type: str,
        sels: tuple[Sel, ...],
        name: str | None,
        definitions: dict[str, str],
        counter: list[int],
    ) -> PlanNode | None:
        # Mutation root fields run one after another, in document order (GraphQL spec §6.2.2);
        # consecutive fields of one subgraph share a fetch.
        batches: list[list[int]] = []
        current: FetchGroup | None = None
        for sel, conds in self._root_fields(walk, root_type, sels):
            used = {current.graph} if current is not None else set()
            [(graph, sel)] = walk.root_assignments(root_type, sel, used, False)
            if current is None or current.graph != graph:
                current = walk.new_group(graph, None, ())
                batches.append([])
            start = len(walk.groups) - 1 if not batches[-1] else batches[-1][0]
            walk.plan_root(current, self._container(current, conds), root_type, sel)
            batches[-1] = list(range(start, len(walk.groups)))
        nodes = [
            build_node([walk.groups[i] for i in batch], name, definitions, counter) for batch in batches
        ]
        present = [n for n in nodes if n is not None]
        if not present:
            return None
        return present[0] if len(present) == 1 else SequenceNode(tuple(present))
