"""The router's request pipeline (DESIGN §2): explicit stages built from config, in order.

A stage is `async (operation, call_next) -> GraphQLResponse`. It either answers (ends the
request by returning a response: a refusal, a cached result…) or awaits `call_next(operation)`.
Everything stages share about one operation lives on `Operation`; everything about the HTTP
request (shared by every operation of a batch) lives on its `RequestContext`.

Order (operation level; the HTTP transport in stages/transport.py runs before it):
  csrf → headers → persisted (APQ) → [authentication] → analysis (tokens, parse, validate)
  → limits → introspection → [traffic] → [authorization] → [response cache]
  → deduplication (identical in-flight queries; off via config) → execution (plan + execute in the Engine); [bracketed] stages are plugged in via StageSlots.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from router.config import RouterConfig
from router.types import GraphQLRequest, GraphQLResponse, RequestContext

__all__ = [
    "EngineHolder",
    "EngineLike",
    "NextStage",
    "Operation",
    "Pipeline",
    "PreparedLike",
    "Stage",
    "StageSlots",
    "build_pipeline",
    "operation_fragments",
]


class PreparedLike(Protocol):
    """What the pipeline reads from `router.engine.PreparedOperation`."""

    @property
    def document(self) -> DocumentNode: ...
    @property
    def operation(self) -> OperationDefinitionNode: ...
    @property
    def operation_type(self) -> str: ...
    @property
    def operation_name(self) -> str | None: ...
    @property
    def document_hash(self) -> str: ...


def operation_fragments(prepared: PreparedLike) -> Mapping[str, FragmentDefinitionNode]:
    """The prepared document's fragments by name: the Engine's (collected once per document),
    else read from the document (an empty mapping may just not have been filled in)."""
    fragments = getattr(prepared, "fragments", None)
    if isinstance(fragments, Mapping) and fragments:
        return fragments
    return {d.name.value: d for d in prepared.document.definitions if isinstance(d, FragmentDefinitionNode)}


class EngineLike(Protocol):
    """The part of `router.engine.Engine` the pipeline uses."""

    @property
    def api_schema(self) -> GraphQLSchema: ...
    def prepare(self, request: GraphQLRequest) -> Any: ...
    async def execute(self, prepared: Any, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse: ...
    async def aclose(self) -> None: ...


class EngineHolder:
    """The current Engine; swapped atomically when the supergraph is reloaded.

    An operation pins the engine it started with (Operation.engine), so a reload never mixes
    two supergraphs inside one operation."""

    __slots__ = ("engine", "supergraph_sdl")

    def __init__(self, engine: EngineLike, supergraph_sdl: str) -> None:
        self.engine = engine
        self.supergraph_sdl = supergraph_sdl


@dataclass(slots=True)
class Operation:
    """One GraphQL operation travelling through the stages (one element of a batch)."""

    request: GraphQLRequest
    context: RequestContext
    http_method: Literal["GET", "POST"]
    engine: EngineLike
    prepared: PreparedLike | None = None


NextStage = Callable[[Operation], Awaitable[GraphQLResponse]]
Stage = Callable[[Operation, NextStage], Awaitable[GraphQLResponse]]


async def _unanswered(operation: Operation) -> GraphQLResponse:
    # Only reachable if the last stage calls next: a wiring bug, masked like any internal error.
    raise RuntimeError("the pipeline ended without a stage answering")


def _link(stage: Stage, call_next: NextStage) -> NextStage:
    async def run(operation: Operation) -> GraphQLResponse:
        return await stage(operation, call_next)

    return run


class Pipeline:
    """Stages composed once at build time into a single callable."""

    __slots__ = ("_entry", "stages")

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = tuple(stages)
        entry: NextStage = _unanswered
        for stage in reversed(self.stages):
            entry = _link(stage, entry)
        self._entry = entry

    async def run(self, operation: Operation) -> GraphQLResponse:
        return await self._entry(operation)


@dataclass(frozen=True, slots=True)
class StageSlots:
    """Stages other parts of the router plug in at their DESIGN §2 positions (None = absent).

    authentication (§2.3) runs before analysis, on the raw request. traffic (§2.4) runs right
    after analysis and the limits, so it sees the selected operation and can price it (parse
    and validation are cached and bounded by the token limit, so they need no rate limit).
    authorization (§2.6) and response_cache (§2.7) follow, with `Operation.prepared` set
    (authorization may replace it with a filtered operation)."""

    documents: Stage | None = None
    authentication: Stage | None = None
    traffic: Stage | None = None
    authorization: Stage | None = None
    response_cache: Stage | None = None


def build_pipeline(config: RouterConfig, *, apq_store: Any | None, slots: StageSlots | None = None) -> Pipeline:
    """The operation-level stages of DESIGN §2 for `config`, in order."""
    # Imported here: stages import this module for the Operation type.
    from router.stages.analysis import AnalysisStage
    from router.stages.csrf import CsrfStage
    from router.stages.dedup import DeduplicationStage
    from router.stages.execution import ExecutionStage
    from router.stages.headers import HeadersStage
    from router.stages.introspection import IntrospectionStage
    from router.stages.limits import LimitsStage
    from router.stages.persisted import PersistedQueryStage

    extra = slots or StageSlots()
    ordered: list[Stage | None] = [
        CsrfStage(config.csrf) if config.csrf.enabled else None,  # §2.1 (the rest of transport is HTTP)
        HeadersStage(config.headers, auth_cookie=config.auth.cookie if config.auth is not None else None),
        extra.documents,  # §2.2 trusted documents: an id must resolve before APQ sees its hash
        PersistedQueryStage(apq_store),  # §2.2
        extra.authentication,  # §2.3
        AnalysisStage(max_tokens=config.limits.max_tokens, field_suggestions=config.introspection),  # §2.5
        LimitsStage(config.limits),  # §2.5
        None if config.introspection else IntrospectionStage(),
        extra.traffic,  # §2.4
        extra.authorization,  # §2.6
        extra.response_cache,  # §2.7
        DeduplicationStage(config.deduplication) if config.deduplication.enabled else None,  # §2.9 in-flight
        ExecutionStage(include_subgraph_errors=config.include_subgraph_errors),  # §2.8-2.11
    ]
    return Pipeline([stage for stage in ordered if stage is not None])
