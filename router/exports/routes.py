"""`GET /exports/{name}.{csv|ndjson|parquet}`: authenticate, run, stream.

Access: a bearer token (verified like every router request) or an API key in the configured
query parameter; either must hold the configured scope (default `bi:read`): 401 without valid
credentials, 403 without the scope. Every other query parameter is a variable of the export
(`RangeStart`/`RangeEnd` included); `partition=day` asks for Parquet partitioned by the
export's `partition` column. The first page runs before the response starts, so bad input and
failing subgraphs get a proper status and a GraphQL-shaped error body; a failure on a later
page aborts the stream (the client sees a truncated transfer, never a silently short file).

The export runs through the Engine (plan cache included), not the operation pipeline: export
queries are reviewed server-side definitions and the scope check above is their gate. The
caller's bearer token is forwarded to subgraphs; API-key calls send `subgraph_headers`.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from auth.errors import InvalidToken
from router.exports.config import ExportsConfig
from router.exports.definitions import Column, ExportDefinition, ExportError, columns_for, load_exports
from router.exports.keys import ApiKeyStore
from router.exports.runner import ExportFailed, coerce_parameters, pages
from router.exports.writers import csv_chunks, ndjson_chunks, parquet_chunks, partitioned_parquet_chunks
from router.pipeline import EngineHolder, EngineLike
from router.security.authn import CLAIMS_ATTRIBUTE, Authenticator
from router.types import RequestContext

__all__ = ["ExportService", "exports_routes"]

_log = structlog.get_logger("router.exports")
_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "zip": "application/zip",
}


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status, headers=headers
    )


class ExportService:
    """Export definitions, credentials and the engine, behind one Starlette endpoint."""

    def __init__(
        self,
        config: ExportsConfig,
        holder: EngineHolder,
        *,
        authenticator: Authenticator | None = None,
        key_store: ApiKeyStore | None = None,
        base_dir: str | Path | None = None,
    ) -> None:
        self.config = config
        self._holder = holder
        self._authenticator = authenticator
        self._keys = key_store
        directory = Path(config.directory)
        if not directory.is_absolute() and base_dir is not None:
            directory = Path(base_dir) / directory
        self.exports = load_exports(directory)
        self._columns: weakref.WeakKeyDictionary[Any, dict[str, list[Column]]] = weakref.WeakKeyDictionary()

    def columns(self, engine: EngineLike, definition: ExportDefinition) -> list[Column]:
        by_name = self._columns.setdefault(engine, {})
        found = by_name.get(definition.name)
        if found is None:
            found = by_name[definition.name] = columns_for(definition, engine.api_schema)
        return found

    async def _context(self, request: Request) -> RequestContext | JSONResponse:
        context = RequestContext(request_id=request.headers.get("x-request-id") or os.urandom(16).hex())
        authorization = request.headers.get("authorization")
        scope = self.config.scope
        if authorization and self._authenticator is not None:
            try:
                claims = await self._authenticator.authenticate(authorization)
            except InvalidToken as error:
                _log.info("export_token_rejected", reason=error.reason.value)
                return _error(
                    401,
                    "The credentials are invalid or expired",
                    "UNAUTHENTICATED",
                    {"www-authenticate": 'Bearer error="invalid_token"'},
                )
            if claims is None or not claims.has_scope(scope):
                return _error(403, f"Exports need the {scope} scope", "FORBIDDEN")
            context.attributes[CLAIMS_ATTRIBUTE] = claims
            context.subgraph_headers["authorization"] = authorization
            return context
        key = request.query_params.get(self.config.api_key_param)
        if key and self._keys is not None:
            record = await self._keys.lookup(key)
            if record is None:
                return _error(401, "Unknown or revoked API key", "UNAUTHENTICATED")
            if not record.has_scope(scope):
                return _error(403, f"Exports need the {scope} scope", "FORBIDDEN")
            context.attributes["api_key"] = record.id
            context.subgraph_headers.update(self.config.subgraph_headers)
            return context
        return _error(
            401,
            "Exports need a bearer token or an API key",
            "UNAUTHENTICATED",
            {"www-authenticate": "Bearer"},
        )

    async def endpoint(self, request: Request) -> Response:
        name, _, extension = str(request.path_params["file"]).rpartition(".")
        definition = self.exports.get(name)
        if definition is None or extension not in ("csv", "ndjson", "parquet"):
            return _error(404, f"No export {request.path_params['file']!r}", "NOT_FOUND")
        context = await self._context(request)
        if isinstance(context, JSONResponse):
            return context
        parameters = {
            key: value
            for key, value in request.query_params.items()
            if key not in (self.config.api_key_param, "partition")
        }
        partition = request.query_params.get("partition")
        engine = self._holder.engine  # pinned for the whole export
        try:
            columns = self.columns(engine, definition)
            variables = coerce_parameters(definition, parameters, max_page_size=self.config.max_page_size)
        except ExportFailed as failure:
            return JSONResponse({"errors": failure.errors}, failure.status)
        except ExportError as error:
            _log.error("export_definition_invalid", export=name, error=str(error))
            return _error(
                500, "The export definition does not fit the current schema", "INTERNAL_SERVER_ERROR"
            )
        partition_column: Column | None = None
        if partition is not None:
            partition_column = next((c for c in columns if c.name == definition.partition), None)
            if partition != "day" or extension != "parquet" or partition_column is None:
                return _error(
                    400,
                    "partition=day is available for Parquet exports with a partition column",
                    "BAD_USER_INPUT",
                )
        rows = pages(definition, variables, engine, context)
        try:
            first = await anext(rows)
        except ExportFailed as failure:
            return JSONResponse({"errors": failure.errors}, failure.status)
        except StopAsyncIteration:
            first = []

        async def replay() -> AsyncIterator[list[dict[str, Any]]]:
            yield first
            try:
                async for page in rows:
                    yield page
            except ExportFailed as failure:
                _log.error("export_failed_mid_stream", export=name, errors=failure.errors)
                raise

        chunks: AsyncIterator[bytes]
        media = extension
        if extension == "csv":
            chunks = csv_chunks(columns, replay())
        elif extension == "ndjson":
            chunks = ndjson_chunks(replay())
        elif partition_column is not None:
            chunks, media = partitioned_parquet_chunks(columns, replay(), partition_column), "zip"
        else:
            chunks = parquet_chunks(columns, replay())
        filename = f"{name}.{'zip' if media == 'zip' else extension}"
        _log.info("export_started", export=name, format=media)
        return StreamingResponse(
            chunks,
            media_type=_MEDIA_TYPES[media],
            headers={
                "content-disposition": f'attachment; filename="{filename}"',
                "cache-control": "no-store",
            },
        )


def exports_routes(
    config: ExportsConfig,
    holder: EngineHolder,
    *,
    authenticator: Authenticator | None = None,
    key_store: ApiKeyStore | None = None,
    base_dir: str | Path | None = None,
) -> list[Route]:
    """The `/exports/{name}.{ext}` route (empty when exports are disabled)."""
    if not config.enabled:
        return []
    service = ExportService(
        config, holder, authenticator=authenticator, key_store=key_store, base_dir=base_dir
    )
    return [Route("/exports/{file}", service.endpoint, methods=["GET"])]
