"""The executor facade: compile a plan once, then run it per request and project the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    is_abstract_type,
)

from router.executor.errors import error
from router.executor.fetching import FetchContext, PlanRun, PreparedFetch, compile_fetches
from router.executor.introspection import INTROSPECTION_FIELDS, introspect
from router.executor.projection import FieldCollectionCache, Projector
from router.planner.nodes import QueryPlan
from router.subgraph_client import SubgraphClient

__all__ = ["CompiledPlan", "Executor"]


@dataclass(slots=True)
class CompiledPlan:
    """A plan plus what every execution of it reuses: serialized fetches, field collections."""

    plan: QueryPlan
    fetches: dict[int, PreparedFetch]
    field_cache: FieldCollectionCache = field(default_factory=FieldCollectionCache)
    # The operation the plan was made for. `field_cache` is keyed by id() of its nodes, so the
    # plan keeps them alive and every execution must project with this very operation.
    operation: OperationDefinitionNode | None = None
    fragments: Mapping[str, FragmentDefinitionNode] = field(default_factory=dict)


class Executor:
    """Runs compiled plans. `api_schema` shapes responses; `supergraph_schema` (the full
    supergraph including @inaccessible parts, when available) answers type questions about the
    data exchanged between subgraphs (type conditions, non-null key fields)."""

    def __init__(
        self,
        api_schema: GraphQLSchema,
        *,
        subgraph_urls: Mapping[str, str],
        client: SubgraphClient | None = None,
        timeout: float = 30.0,
        subgraph_timeouts: Mapping[str, float] | None = None,
        supergraph_schema: GraphQLSchema | None = None,
        include_subgraph_errors: bool = True,
    ) -> None:
        self.api_schema = api_schema
        self._urls = dict(subgraph_urls)
        self._timeout = timeout
        self._timeouts = dict(subgraph_timeouts or {})
        self._owns_client = client is None
        self.client = client or SubgraphClient()
        types_schema = supergraph_schema or api_schema
        self._possible = _possible_types(types_schema)
        self._field_infos: dict[tuple[str | None, str], tuple[bool, str | None] | None] = {}
        self._types_schema = types_schema
        object_types = frozenset(
            name for name, named in types_schema.type_map.items() if isinstance(named, GraphQLObjectType)
        )
        self._context = FetchContext(
            client=self.client,
            matches=self._matches,
            field_info=self._field_info,
            object_types=object_types,
            redact_subgraph_errors=not include_subgraph_errors,
        )

    @property
    def subgraph_urls(self) -> Mapping[str, str]:
        return dict(self._urls)

    def compile(
        self,
        plan: QueryPlan,
        operation: OperationDefinitionNode | None = None,
        fragments: Mapping[str, FragmentDefinitionNode] | None = None,
    ) -> CompiledPlan:
        fetches: dict[int, PreparedFetch] = {}
        compile_fetches(plan.node, self._urls, self._timeouts, self._timeout, fetches)
        return CompiledPlan(plan=plan, fetches=fetches, operation=operation, fragments=dict(fragments or {}))

    async def execute(
        self,
        compiled: CompiledPlan,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        raw_variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Returns the response body: `{"data": …}` plus `"errors"` when there are any.

        When the plan was compiled with its operation, that operation is projected (the same
        query text, and the nodes its field cache refers to)."""
        if compiled.operation is not None:
            operation, fragments = compiled.operation, compiled.fragments
        root_type = _root_type(self.api_schema, operation.operation)
        if root_type is None:
            message = f"The schema has no {operation.operation.value} type"
            return {"data": None, "errors": [error(message, code="GRAPHQL_VALIDATION_FAILED")]}
        run = PlanRun(self._context, compiled.fetches, variables, headers or {})
        await run.run(compiled.plan.node)
        errors = run.errors
        projector = Projector(self.api_schema, fragments, variables, errors, compiled.field_cache)
        local_values: dict[str, Any] = {}
        root_fields = projector.root_fields(root_type, operation.selection_set)
        introspection = {
            key: nodes for key, nodes in root_fields.items() if nodes[0].name.value in INTROSPECTION_FIELDS
        }
        if introspection:
            local_values = introspect(
                self.api_schema, operation, fragments, introspection, raw_variables or variables, errors
            )
        data = projector.project_root(root_type, operation.selection_set, run.data, local_values)
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        return body

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    def _matches(self, typename: str | None, condition: str) -> bool:
        if typename is None:
            return False
        if typename == condition:
            return True
        possible = self._possible.get(condition)
        return possible is not None and typename in possible

    def _field_info(self, typename: str | None, field_name: str) -> tuple[bool, str | None] | None:
        key = (typename, field_name)
        try:
            return self._field_infos[key]
        except KeyError:
            pass
        info: tuple[bool, str | None] | None = None
        parent = self._types_schema.type_map.get(typename) if typename else None
        fields = getattr(parent, "fields", None)
        if fields is not None and field_name in fields:
            field_type = fields[field_name].type
            info = (isinstance(field_type, GraphQLNonNull), get_named_type(field_type).name)
        self._field_infos[key] = info
        return info


def _root_type(schema: GraphQLSchema, operation: OperationType) -> GraphQLObjectType | None:
    if operation is OperationType.QUERY:
        return schema.query_type
    if operation is OperationType.MUTATION:
        return schema.mutation_type
    return schema.subscription_type


def _possible_types(schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    possible: dict[str, frozenset[str]] = {}
    for name, named in schema.type_map.items():
        if is_abstract_type(named):
            possible[name] = frozenset(t.name for t in schema.get_possible_types(named))  # type: ignore[arg-type]
    return possible
