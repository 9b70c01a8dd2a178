"""GraphQL over HTTP for every subgraph: media type negotiation and status codes.

Strawberry answers every request in ``application/json`` with 200, which is what the spec asks
for that media type. Under ``application/graphql-response+json`` the spec
(https://graphql.github.io/graphql-over-http/draft/) wants more, and this view adds it through
Strawberry's own hooks (``process_result`` and ``run``), not by rewriting bodies:

- §5.1 / §6.4.2 (Accept): the client's Accept picks the media type; ``*/*``, ``application/*``,
  no Accept at all — and, leniently, nothing we can serve — mean ``application/json``, so a
  subgraph never refuses a caller over its Accept header.
- §6.4.2.1 / §7.1.2: under ``application/graphql-response+json`` a request error (parse,
  validation or variable coercion failure, or an access token refused before execution) has
  no ``data`` entry and a 4xx status: 400 (401 with a Bearer challenge for UNAUTHENTICATED,
  RFC 6750 §3). Field errors during execution keep ``data`` and 200.
- §6.4.1: under ``application/json`` nothing changes: 200 and the body Strawberry builds.

Transport failures Strawberry raises as ``HTTPException`` (unparsable body, missing query, a
mutation via GET, …) become GraphQL-shaped errors with a code, in the negotiated media type.
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.async_base_view import HTTPException  # strawberry's own (from cross_web)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from subgraphs.common.errors import error_code

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "SubgraphGraphQLRouter",
    "negotiate_media_type",
    "request_error_status",
]

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_CONTENT_TYPES = {
    JSON: f"{JSON}; charset=utf-8",
    GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
}

_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}
_BEARER_CHALLENGE = {"www-authenticate": 'Bearer error="invalid_token"'}
# Set on the request by process_result, read by run: the status a request error asks for.
_STATUS_ATTRIBUTE = "graphql_request_error_status"


def negotiate_media_type(accept: str | None) -> str:
    """The response media type for an Accept header (RFC 9110 §12.5.1 ranking by q, then order).

    Anything that names neither GraphQL media type falls back to ``application/json`` (§5.1
    allows serving it when nothing acceptable is offered; a subgraph never answers 406).
    """
    best: tuple[float, int, str] | None = None
    for position, item in enumerate((accept or "").split(",")):
        media, _, params = item.partition(";")
        media = media.strip().lower()
        if media == GRAPHQL_RESPONSE_JSON:
            chosen = GRAPHQL_RESPONSE_JSON
        elif media in (JSON, "application/*", "*/*"):
            chosen = JSON
        else:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (-quality, position) < (-best[0], best[1])):
            best = (quality, position, chosen)
    return best[2] if best is not None else JSON


def _is_request_error(error: GraphQLError) -> bool:
    # Field errors carry a path (GraphQL spec §7.1.2 "Errors"); internal failures, masked or
    # not, are the server's fault, not the request's.
    if error.path is not None or error_code(error) == "INTERNAL_SERVER_ERROR":
        return False
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def request_error_status(result: ExecutionResult) -> int | None:
    """The 4xx status of a request error (no data, only request-level errors), else None.

    Parse and validation failures (Strawberry's PreExecutionError), variable coercion failures
    (graphql-core returns ``data=None`` with path-less errors) and RejectInvalidToken's refusal
    all qualify; ``data: null`` from a non-null field error has paths and stays a 200.
    """
    errors = result.errors
    if result.data is not None or not errors or not all(_is_request_error(error) for error in errors):
        return None
    if any(error_code(error) == "UNAUTHENTICATED" for error in errors):
        return 401
    return 400


class SubgraphGraphQLRouter(GraphQLRouter[Any, Any]):
    """Strawberry's FastAPI router speaking both GraphQL-over-HTTP media types."""

    def decode_json(self, data: str | bytes) -> object:
        # orjson first (DESIGN §5); whatever it refuses (NaN literals, lone surrogates, huge
        # integers) gets the stdlib decoder's answer, so what is accepted does not change.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode_json(data)

    def encode_json(self, data: object) -> str | bytes:
        # orjson (DESIGN §5: JSON on hot paths): the stdlib encoder was a measurable share of a
        # list query's CPU. Anything orjson refuses (an int beyond 64 bits in a JSON scalar, a
        # custom object) still gets the stdlib encoder's answer, error included.
        try:
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        except orjson.JSONEncodeError:
            return super().encode_json(data)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if not isinstance(request, Request) or self._batching:
            return response
        status = request_error_status(result)
        if (
            status is not None
            and negotiate_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE_JSON
        ):
            # §7.1.2: a request error's response has no data entry (execution never started).
            response.pop("data", None)
            setattr(request.state, _STATUS_ATTRIBUTE, status)
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request):  # a WebSocket: subprotocols, not media types
            return await super().run(request, context, root_value)
        media_type = negotiate_media_type(request.headers.get("accept"))
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as error:
            return self._transport_error(error, media_type)
        if media_type == GRAPHQL_RESPONSE_JSON and _is_json(response):
            response.headers["content-type"] = _CONTENT_TYPES[GRAPHQL_RESPONSE_JSON]
            status = getattr(request.state, _STATUS_ATTRIBUTE, None)
            if status is not None:
                response.status_code = status
                if status == 401:
                    response.headers.update(_BEARER_CHALLENGE)
        return response

    @property
    def _batching(self) -> bool:
        # A batch is answered as one array with one status: per-item statuses do not apply.
        return getattr(self.schema.config, "batching_config", None) is not None

    @staticmethod
    def _transport_error(error: HTTPException, media_type: str) -> Response:
        """Strawberry answers these in plain text; clients and the router read ``errors``."""
        status = error.status_code
        # application/json responses stay exactly as they were (JSONResponse's own header).
        headers = {"content-type": _CONTENT_TYPES[media_type]} if media_type != JSON else {}
        if status == 400 and "not allowed when using GET" in error.reason:
            # GraphQL over HTTP §6.3.1 (GET): a mutation via GET is 405 Method Not Allowed.
            status, headers = 405, {**headers, "allow": "POST"}
        code = _HTTP_CODES.get(status, "BAD_REQUEST")
        return JSONResponse(
            {"errors": [{"message": error.reason, "extensions": {"code": code}}]},
            status_code=status,
            headers=headers,
        )


def _is_json(response: Any) -> bool:
    # Leaves streamed (multipart/SSE) and HTML (GraphiQL) responses alone.
    return isinstance(response, Response) and response.headers.get("content-type", "").startswith(JSON)
