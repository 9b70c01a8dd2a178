"""The Engine: supergraph + planner + executor behind two calls, `prepare` and `execute`.

`prepare` parses and validates a request against the API schema (both cached by query text)
and selects the operation; `execute` coerces variables, plans (cached by document hash and
operation name), runs the plan and projects the result. Every failure becomes a GraphQL
response; nothing raises to the HTTP layer.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_ast_schema,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from router.executor import CompiledPlan, Executor
from router.planner import PlanningError, QueryPlanner
from router.planner.nodes import QueryPlan
from router.subgraph_client import SubgraphClient
from router.supergraph import Supergraph, load_supergraph
from router.types import GraphQLRequest, GraphQLResponse, RequestContext

__all__ = ["Engine", "PreparedOperation", "QueryPlannerLike"]

_log = logging.getLogger("router.engine")

OperationKind = Literal["query", "mutation", "subscription"]
_K = TypeVar("_K")
_V = TypeVar("_V")


class QueryPlannerLike(Protocol):
    def plan(self, document: DocumentNode, operation_name: str | None) -> QueryPlan: ...


@dataclass(slots=True)
class PreparedOperation:
    document: DocumentNode
    operation: OperationDefinitionNode
    operation_type: OperationKind
    operation_name: str | None
    document_hash: str
    fragments: Mapping[str, FragmentDefinitionNode] = field(default_factory=dict)


@dataclass(slots=True)
class _Document:
    """A parsed and validated query text, or the errors that stop it."""

    document: DocumentNode | None
    document_hash: str
    errors: list[dict[str, Any]]
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)


class _BoundedCache(Generic[_K, _V]):
    """Insertion-ordered cache that evicts its oldest entry when full (cheap, lock-free)."""

    def __init__(self, max_size: int) -> None:
        self._max = max_size
        self._items: dict[_K, _V] = {}

    def get(self, key: _K) -> _V | None:
        return self._items.get(key)

    def put(self, key: _K, value: _V) -> None:
        if len(self._items) >= self._max:
            self._items.pop(next(iter(self._items)))
        self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)


class Engine:
    def __init__(
        self,
        supergraph_sdl: str,
        *,
        subgraph_urls: Mapping[str, str] | None = None,
        subgraph_timeout: float = 30.0,
        client: SubgraphClient | None = None,
        subgraph_timeouts: Mapping[str, float] | None = None,
        planner: QueryPlannerLike | None = None,
        cache_size: int = 2048,
        include_subgraph_errors: bool = True,
    ) -> None:
        self.supergraph: Supergraph = load_supergraph(supergraph_sdl)
        self.api_schema: GraphQLSchema = self.supergraph.api_schema
        if planner is None:
            planner = QueryPlanner(self.supergraph)
        self._planner: QueryPlannerLike = planner
        urls = {name: info.url for name, info in self.supergraph.graphs.items()}
        urls.update(subgraph_urls or {})
        self._executor = Executor(
            self.api_schema,
            subgraph_urls=urls,
            client=client,
            timeout=subgraph_timeout,
            subgraph_timeouts=subgraph_timeouts,
            supergraph_schema=_full_schema(supergraph_sdl),
            include_subgraph_errors=include_subgraph_errors,
        )
        self._documents: _BoundedCache[str, _Document] = _BoundedCache(cache_size)
        self._plans: _BoundedCache[tuple[str, str | None], CompiledPlan] = _BoundedCache(cache_size)

    @property
    def subgraph_urls(self) -> Mapping[str, str]:
        """Where each subgraph is reached (supergraph URLs with overrides applied)."""
        return self._executor.subgraph_urls

    # -- prepare ----------------------------------------------------------------------------

    def prepare(self, request: GraphQLRequest) -> PreparedOperation | GraphQLResponse:
        query = request.query
        if not isinstance(query, str) or not query.strip():
            return _request_error("Must provide query string.", "BAD_REQUEST")
        entry = self._documents.get(query)
        if entry is None:
            entry = self._analyse(query)
            self._documents.put(query, entry)
        if entry.errors or entry.document is None:
            return GraphQLResponse(body={"errors": entry.errors}, is_request_error=True)
        name = request.operation_name or None
        if name is None:
            if len(entry.operations) != 1:
                return _request_error(
                    "Must provide operation name if query contains multiple operations.",
                    "GRAPHQL_VALIDATION_FAILED",
                )
            operation = next(iter(entry.operations.values()))
        else:
            found = entry.operations.get(name)
            if found is None:
                return _request_error(f'Unknown operation named "{name}".', "GRAPHQL_VALIDATION_FAILED")
            operation = found
        return PreparedOperation(
            document=entry.document,
            operation=operation,
            operation_type=operation.operation.value,  # type: ignore[arg-type]
            operation_name=operation.name.value if operation.name else None,
            document_hash=entry.document_hash,
            fragments=entry.fragments,
        )

    def _analyse(self, query: str) -> _Document:
        document_hash = hashlib.sha256(query.encode()).hexdigest()
        try:
            document = parse(query)
        except GraphQLError as exc:
            return _Document(None, document_hash, [_format(exc, "GRAPHQL_PARSE_FAILED")])
        errors = validate(self.api_schema, document)
        if errors:
            return _Document(None, document_hash, [_format(e, "GRAPHQL_VALIDATION_FAILED") for e in errors])
        operations: dict[str | None, OperationDefinitionNode] = {}
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                operations[definition.name.value if definition.name else None] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
        return _Document(document, document_hash, [], operations, fragments)

    # -- execute ----------------------------------------------------------------------------

    async def execute(
        self, prepared: PreparedOperation, request: GraphQLRequest, context: RequestContext
    ) -> GraphQLResponse:
        if prepared.operation_type == "subscription":
            return _request_error(
                "Subscriptions are not supported by this router.", "SUBSCRIPTION_NOT_SUPPORTED"
            )
        raw_variables = request.variables or {}
        if not isinstance(raw_variables, dict):
            return _request_error("Variables must be a JSON object.", "BAD_USER_INPUT")
        definitions = prepared.operation.variable_definitions
        coerced: dict[str, Any] = {}
        if definitions:
            outcome = get_variable_values(self.api_schema, definitions, raw_variables)
            if isinstance(outcome, list):
                return GraphQLResponse(
                    body={"errors": [_format(e, "BAD_USER_INPUT") for e in outcome]}, is_request_error=True
                )
            # graphql-core 3.3 wraps the values (`.coerced`); 3.2 returns the dict itself.
            coerced = getattr(outcome, "coerced", outcome)  # type: ignore[arg-type]
        compiled = self._plan(prepared, context)
        if isinstance(compiled, GraphQLResponse):
            return compiled
        try:
            body = await self._executor.execute(
                compiled,
                prepared.operation,
                prepared.fragments,
                coerced,
                headers=context.subgraph_headers,
                raw_variables=raw_variables,
            )
        except Exception:
            _log.exception("execution failed (request %s)", context.request_id)
            body = {
                "data": None,
                "errors": [
                    {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
                ],
            }
        return GraphQLResponse(body=body)

    def _plan(self, prepared: PreparedOperation, context: RequestContext) -> CompiledPlan | GraphQLResponse:
        key = (prepared.document_hash, prepared.operation_name)
        compiled = self._plans.get(key)
        if compiled is None:
            try:
                plan = self._planner.plan(prepared.document, prepared.operation_name)
            except PlanningError as exc:
                # The operation is valid but cannot be served by this supergraph: say why.
                return _request_error(f"Query planning failed: {exc}", "QUERY_PLANNING_FAILED")
            except Exception:
                _log.exception("query planning failed (request %s)", context.request_id)
                return _request_error("Query planning failed", "QUERY_PLANNING_FAILED")
            compiled = self._executor.compile(plan, prepared.operation, prepared.fragments)
            self._plans.put(key, compiled)
        return compiled

    def plan_for(self, prepared: PreparedOperation) -> QueryPlan | GraphQLResponse:
        """The (cached) plan of an operation, e.g. for printing; a response when planning fails."""
        compiled = self._plan(prepared, RequestContext(request_id="plan"))
        return compiled if isinstance(compiled, GraphQLResponse) else compiled.plan

    async def aclose(self) -> None:
        await self._executor.aclose()


def _request_error(message: str, code: str) -> GraphQLResponse:
    return GraphQLResponse(
        body={"errors": [{"message": message, "extensions": {"code": code}}]}, is_request_error=True
    )


def _format(exc: GraphQLError, code: str) -> dict[str, Any]:
    formatted: dict[str, Any] = {"message": exc.message}
    if exc.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in exc.locations]
    formatted["extensions"] = {**(exc.extensions or {}), "code": code}
    return formatted


def _full_schema(sdl: str) -> GraphQLSchema | None:
    """The whole supergraph as a schema (with @inaccessible parts), for the executor's type
    questions; None when graphql-core cannot build it, in which case the API schema serves."""
    try:
        return build_ast_schema(parse(sdl, no_location=True), assume_valid=True, assume_valid_sdl=True)
    except Exception:
        return None
