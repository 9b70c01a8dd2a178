"""Instrumentation of the operation pipeline (DESIGN §2), added around the stages from outside.

- Always: the request's secrets are remembered for log redaction (router/observability/redaction.py),
  per-operation latency by operation name and outcome, refusals by error code, and the
  APQ result of each persisted-query request (hit / miss / registered / refused).
- With tracing on: a span per operation and, nested in it, a span per stage (a stage's span
  encloses the stages after it, as the stages themselves do; `router.stage.answered` marks the
  stage that produced the response).
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from router.observability.metrics import APQ_REQUESTS, OPERATION_SECONDS, REJECTED_OPERATIONS
from router.observability.redaction import remember_secrets, secrets_of_request
from router.observability.tracing import Telemetry
from router.pipeline import NextStage, Operation, Pipeline, Stage
from router.stages.observability import operation_label
from router.stages.persisted import PersistedQueryStage
from router.types import GraphQLResponse

__all__ = ["instrument_pipeline", "stage_name"]


def stage_name(stage: Any) -> str:
    """A readable name for a stage object, bound method or function."""
    owner = getattr(stage, "__self__", None)
    if owner is not None:
        return f"{type(owner).__name__}.{getattr(stage, '__name__', 'stage')}"
    if hasattr(stage, "__qualname__"):
        return str(stage.__qualname__)
    return type(stage).__name__


def _error_codes(response: GraphQLResponse) -> list[str]:
    codes: list[str] = []
    for error in response.body.get("errors") or ():
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if isinstance(code, str) and code not in codes:
            codes.append(code)
    return codes


def _outcome(response: GraphQLResponse) -> str:
    if response.is_request_error or "data" not in response.body:
        return "refused"
    return "errors" if response.body.get("errors") else "ok"


class _OperationObserver:
    """First stage: times the operation, counts refusals, opens the operation's span."""

    __slots__ = ("_tracer",)

    def __init__(self, tracer: trace.Tracer | None) -> None:
        self._tracer = tracer

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        started = time.perf_counter()
        remember_secrets(secrets_of_request(operation.request.variables, operation.context.bearer_token))
        if self._tracer is None:
            response = await call_next(operation)
        else:
            with self._tracer.start_as_current_span("graphql.operation", record_exception=False) as span:
                response = await call_next(operation)
                _describe_operation(span, operation, response)
        outcome = _outcome(response)
        name = (
            operation.prepared.operation_name
            if operation.prepared is not None
            else operation.request.operation_name
        )
        OPERATION_SECONDS.labels(operation_label(name), outcome).observe(time.perf_counter() - started)
        if outcome == "refused":
            for code in _error_codes(response) or ["UNKNOWN"]:
                REJECTED_OPERATIONS.labels(code).inc()
        return response


def _describe_operation(span: trace.Span, operation: Operation, response: GraphQLResponse) -> None:
    prepared = operation.prepared
    if prepared is not None:
        name = prepared.operation_name
        span.update_name(f"{prepared.operation_type} {name}" if name else prepared.operation_type)
        span.set_attribute("graphql.operation.type", prepared.operation_type)
        if name:
            span.set_attribute("graphql.operation.name", name)
        # The hash, never the text or variables: those may carry personal data.
        span.set_attribute("graphql.document.hash", prepared.document_hash)
    elif operation.request.operation_name:
        span.set_attribute("graphql.operation.name", operation.request.operation_name)
    codes = _error_codes(response)
    if codes:
        span.set_attribute("graphql.error.codes", codes)
    if response.is_request_error:
        span.set_status(Status(StatusCode.ERROR, codes[0] if codes else None))


class _TracedStage:
    __slots__ = ("_name", "_stage", "_tracer")

    def __init__(self, stage: Stage, tracer: trace.Tracer, name: str) -> None:
        self._stage = stage
        self._tracer = tracer
        self._name = f"router.stage {name}"

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        answered = True

        async def proceed(forwarded: Operation) -> GraphQLResponse:
            nonlocal answered
            answered = False
            return await call_next(forwarded)

        with self._tracer.start_as_current_span(self._name, record_exception=False) as span:
            response = await self._stage(operation, proceed)
            if answered:
                span.set_attribute("router.stage.answered", True)
                if response.is_request_error:
                    codes = _error_codes(response)
                    span.set_status(Status(StatusCode.ERROR, codes[0] if codes else None))
            return response


class _ApqObserver:
    """Classifies each persisted-query request by what the APQ stage did with it."""

    __slots__ = ("_stage",)

    def __init__(self, stage: Stage) -> None:
        self._stage = stage

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        extensions = operation.request.extensions
        if not extensions or "persistedQuery" not in extensions:
            return await self._stage(operation, call_next)
        hash_only = operation.request.query is None
        forwarded = False

        async def proceed(next_operation: Operation) -> GraphQLResponse:
            nonlocal forwarded
            forwarded = True
            return await call_next(next_operation)

        response = await self._stage(operation, proceed)
        if forwarded:
            result = (
                "hit" if hash_only else "registered" if operation.prepared is not None else "invalid_query"
            )
        elif "PERSISTED_QUERY_NOT_FOUND" in _error_codes(response):
            result = "miss"
        else:
            result = "refused"
        APQ_REQUESTS.labels(result).inc()
        return response


def instrument_pipeline(pipeline: Pipeline, telemetry: Telemetry) -> Pipeline:
    """A new Pipeline running the same stages, observed (see the module docstring)."""
    tracer = telemetry.tracer
    stages: list[Stage] = [_OperationObserver(tracer)]
    for stage in pipeline.stages:
        observed: Stage = _ApqObserver(stage) if isinstance(stage, PersistedQueryStage) else stage
        if tracer is not None:
            # Named after the real stage, not the observer around it.
            observed = _TracedStage(observed, tracer, stage_name(stage))
        stages.append(observed)
    return Pipeline(stages)
