"""Transport (DESIGN §2 stage 1): GraphQL-over-HTTP in front of the operation pipeline.

It is the one HTTP-shaped stage: it turns an HTTP request into a `RequestContext` plus one or
more `GraphQLRequest`s (a JSON array is a batch), runs each through the pipeline (its next
stage) and encodes the answers in the media type the client accepts.

Rules (GraphQL over HTTP, https://graphql.github.io/graphql-over-http/draft/):
- §Accept: `application/graphql-response+json` or `application/json`; `*/*`, `application/*`
  and no Accept at all mean `application/json`; anything else → 406.
- §POST: body must be `application/json` (else 415) holding a JSON object (or an array: batch);
  malformed JSON or a non-well-formed request (missing/non-string `query`, non-object
  `variables`/`extensions`, non-string `operationName`) → 400.
- §GET: parameters in the URL, `variables`/`extensions` JSON-encoded; mutations → 405 (analysis).
- §Status codes: under `application/json` every well-formed request gets 200; under
  `application/graphql-response+json` a request error (no `data`) gets 400.
- Body larger than `limits.max_body_bytes` → 413 (a GET query string that long → 414); batch
  larger than `limits.max_batch` → 400.
- A batch is answered 200 with an array; its headers come from `ratelimit.batch_headers`
  (the most restrictive RateLimit-*, 429 + Retry-After when every operation was limited).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from typing import Any, Literal

import orjson
import structlog
from starlette.requests import Request
from starlette.responses import Response

from router.config import RouterConfig
from router.pipeline import EngineHolder, Operation, Pipeline
from router.stages.errors import request_error
from router.stages.headers import TRACEPARENT_ATTRIBUTE, trace_context
from router.stages.observability import IN_FLIGHT, REQUEST_SECONDS, observe_operation
from router.stages.ratelimit import batch_headers
from router.types import GraphQLRequest, GraphQLResponse, RequestContext

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "GraphQLTransport", "client_headers", "negotiate_media_type"]

_log = structlog.get_logger("router.http")

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


_INTERNAL_ERROR = request_error("Internal server error", "INTERNAL_SERVER_ERROR", status=500)


class _Refusal(Exception):
    """A request refused before any operation runs; carries the response to send."""

    def __init__(self, response: GraphQLResponse) -> None:
        self.response = response


def _refuse(message: str, code: str = "BAD_REQUEST", status: int = 400) -> _Refusal:
    return _Refusal(request_error(message, code, status=status))


def negotiate_media_type(accept: str | None) -> str | None:
    """The response media type for an Accept header (RFC 9110 §12.5.1), None if none fits."""
    if accept is None or not accept.strip():
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, _, params = item.partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            ranked.append((quality, position, GRAPHQL_RESPONSE_JSON))
        elif media in (JSON, "application/*", "*/*"):
            ranked.append((quality, position, JSON))
    if not ranked:
        return None
    ranked.sort(key=lambda entry: (-entry[0], entry[1]))
    return ranked[0][2]


def _graphql_request(params: Any, *, where: str = "request") -> GraphQLRequest:
    if not isinstance(params, dict):
        raise _refuse(f"The {where} must be a JSON object")
    query = params.get("query")
    operation_name = params.get("operationName")
    variables = params.get("variables")
    extensions = params.get("extensions")
    if query is not None and not isinstance(query, str):
        raise _refuse(f"The {where}'s `query` must be a string")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _refuse(f"The {where}'s `operationName` must be a string")
    if variables is not None and not isinstance(variables, dict):
        raise _refuse(f"The {where}'s `variables` must be an object")
    if extensions is not None and not isinstance(extensions, dict):
        raise _refuse(f"The {where}'s `extensions` must be an object")
    document_id = params.get("documentId")
    if document_id is not None:
        # GraphQL over HTTP, persisted documents: `documentId` names a trusted document; the
        # trusted-documents stage reads it from the extensions.
        if not isinstance(document_id, str) or not document_id:
            raise _refuse(f"The {where}'s `documentId` must be a non-empty string")
        extensions = {**(extensions or {}), "documentId": document_id}
    # A hash-only APQ request or a document id legitimately has no text; a stage resolves it.
    if query is None and not (extensions and ("persistedQuery" in extensions or "documentId" in extensions)):
        raise _refuse(f"The {where} has no `query`")
    return GraphQLRequest(
        query=query, operation_name=operation_name or None, variables=variables, extensions=extensions
    )


def _json_param(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _refuse(f"The `{name}` URL parameter is not valid JSON") from None


def _parse_get(request: Request) -> GraphQLRequest:
    params = request.query_params
    return _graphql_request(
        {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json_param(params.get("variables"), "variables"),
            "extensions": _json_param(params.get("extensions"), "extensions"),
            "documentId": params.get("documentId"),
        }
    )


def _parse_post_body(body: bytes, max_batch: int) -> GraphQLRequest | list[GraphQLRequest]:
    if not body.strip():
        raise _refuse("The request body is empty")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _refuse("The request body is not valid JSON") from None
    if isinstance(payload, list):
        if not payload:
            raise _refuse("The batch is empty")
        if len(payload) > max_batch:
            raise _refuse(
                f"The batch has {len(payload)} operations; the limit is {max_batch}", "BATCH_LIMIT_EXCEEDED"
            )
        return [
            _graphql_request(item, where=f"batch operation {index}") for index, item in enumerate(payload)
        ]
    return _graphql_request(payload)


def _check_content_type(content_type: str | None) -> None:
    media, _, params = (content_type or "").partition(";")
    if media.strip().lower() != JSON:
        raise _refuse("POST bodies must be sent as application/json", "UNSUPPORTED_MEDIA_TYPE", 415)
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise _refuse("Only the utf-8 charset is supported", "UNSUPPORTED_MEDIA_TYPE", 415)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _refuse(f"The request body exceeds {limit} bytes", "PAYLOAD_TOO_LARGE", 413)
    # Straight from the ASGI channel: no generator per chunk on the hot path.
    receive = request.receive
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _refuse("The client disconnected before sending its body")
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise _refuse(f"The request body exceeds {limit} bytes", "PAYLOAD_TOO_LARGE", 413)
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def client_headers(request: Request) -> dict[str, str]:
    """The request's headers by lower-cased name; repeated headers joined with ", " (RFC 9110 §5.3)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in request.scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _bearer_token(headers: dict[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _operation_name(operation: Operation) -> str | None:
    """The selected operation's name once analysed, else the name the client sent."""
    prepared = operation.prepared
    return prepared.operation_name if prepared is not None else operation.request.operation_name


def _status(response: GraphQLResponse, media_type: str) -> int:
    if response.status_code is not None:
        return response.status_code
    if response.is_request_error and media_type == GRAPHQL_RESPONSE_JSON:
        return 400
    return 200


def _error_codes(bodies: list[dict[str, Any]]) -> list[str]:
    codes: list[str] = []
    for body in bodies:
        for error in body.get("errors") or ():
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            if isinstance(code, str) and code not in codes:
                codes.append(code)
    return codes


class GraphQLTransport:
    """The Starlette endpoint for GET/POST on the GraphQL path."""

    __slots__ = ("_config", "_holder", "_pipeline")

    def __init__(self, config: RouterConfig, pipeline: Pipeline, holder: EngineHolder) -> None:
        self._config = config
        self._pipeline = pipeline
        self._holder = holder

    async def __call__(self, request: Request) -> Response:
        IN_FLIGHT.inc()
        try:
            return await self._answer(request)
        finally:
            IN_FLIGHT.dec()

    async def _answer(self, request: Request) -> Response:
        started = time.perf_counter()
        headers = client_headers(request)
        supplied_id = headers.get("x-request-id", "")
        request_id = supplied_id if supplied_id and _REQUEST_ID.match(supplied_id) else os.urandom(16).hex()
        traceparent, trace_id = trace_context(headers)
        context = RequestContext(
            request_id=request_id,
            client_headers=headers,
            client_address=request.client.host if request.client else None,
            bearer_token=_bearer_token(headers),
        )
        context.attributes[TRACEPARENT_ATTRIBUTE] = traceparent
        # Every log line of this request (any stage, any module using structlog) carries both ids;
        # uvicorn runs each request in its own task, so the binding cannot leak to another.
        structlog.contextvars.bind_contextvars(request_id=request_id, trace_id=trace_id)
        media_type = negotiate_media_type(headers.get("accept"))
        operation_names: list[str | None] = []
        bodies: list[dict[str, Any]] = []
        try:
            if media_type is None:
                raise _refuse(
                    "The Accept header allows neither application/graphql-response+json nor application/json",
                    "NOT_ACCEPTABLE",
                    406,
                )
            status, payload, extra = await self._handle(request, context, media_type, operation_names, bodies)
        except _Refusal as refusal:
            media_type = media_type or JSON
            status, payload, extra = self._refusal_parts(refusal.response, media_type)
            bodies.append(refusal.response.body)
        except Exception:  # a bug in some stage: masked, logged with the request id
            _log.exception("request_failed")
            media_type = media_type or JSON
            status, payload, extra = self._refusal_parts(_INTERNAL_ERROR, media_type)
            bodies.append(_INTERNAL_ERROR.body)
        response_headers = {"content-type": _CONTENT_TYPES[media_type], "x-request-id": request_id, **extra}
        response = Response(content=payload, status_code=status, headers=response_headers)
        duration = time.perf_counter() - started
        REQUEST_SECONDS.labels(request.method, str(status)).observe(duration)
        for index, body in enumerate(bodies):
            outcome = "refused" if "data" not in body else "errors" if body.get("errors") else "ok"
            observe_operation(operation_names[index] if index < len(operation_names) else None, outcome)
        # One line per request; never headers or tokens (they may carry credentials).
        _log.info(
            "graphql_request",
            method=request.method,
            status=status,
            operation_name=operation_names[0] if len(operation_names) == 1 else operation_names or None,
            batch_size=len(operation_names) if len(operation_names) > 1 else None,
            error_codes=_error_codes(bodies) or None,
            client_address=context.client_address,
            duration_ms=round(duration * 1000, 3),
        )
        return response

    def _refusal_parts(self, response: GraphQLResponse, media_type: str) -> tuple[int, bytes, dict[str, str]]:
        return _status(response, media_type), orjson.dumps(response.body), response.headers

    async def _handle(
        self,
        request: Request,
        context: RequestContext,
        media_type: str,
        operation_names: list[str | None],
        bodies: list[dict[str, Any]],
    ) -> tuple[int, bytes, dict[str, str]]:
        method: Literal["GET", "POST"]
        parsed: GraphQLRequest | list[GraphQLRequest]
        if request.method == "GET":
            method = "GET"
            limit = self._config.limits.max_body_bytes
            if len(request.scope.get("query_string", b"")) > limit:
                raise _refuse(f"The URL's query string exceeds {limit} bytes", "URI_TOO_LONG", 414)
            parsed = _parse_get(request)
        else:
            method = "POST"
            _check_content_type(context.client_headers.get("content-type"))
            body = await _read_body(request, self._config.limits.max_body_bytes)
            parsed = _parse_post_body(body, self._config.limits.max_batch)
        engine = self._holder.engine
        if isinstance(parsed, GraphQLRequest):
            operation = Operation(parsed, context, method, engine)
            response = await self._pipeline.run(operation)
            operation_names.append(_operation_name(operation))
            bodies.append(response.body)
            return _status(response, media_type), _encoded(response), response.headers
        operations = [Operation(item, context, method, engine) for item in parsed]
        # Operations of a batch are independent requests that happen to share one HTTP call.
        responses = await asyncio.gather(*(self._pipeline.run(operation) for operation in operations))
        operation_names.extend(_operation_name(operation) for operation in operations)
        bodies.extend(response.body for response in responses)
        # RateLimit-* of the most restrictive operation; 429 only when all of them were limited.
        status, merged_headers = batch_headers(responses)
        return status or 200, b"[" + b",".join(_encoded(response) for response in responses) + b"]", merged_headers


def _encoded(response: GraphQLResponse) -> bytes:
    """The body as JSON: the shared encoding of a deduplicated response, or serialised now."""
    return response.encoded if response.encoded is not None else orjson.dumps(response.body)
