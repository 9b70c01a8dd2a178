"""`GET /exports/{name}.{csv|ndjson|parquet}`: authenticate, run, stream.

Access (router/exports/identity.py): a bearer token or an API key in the configured query
parameter, holding the configured scope (default `bi:read`). Every other query parameter is a
variable of the export (`RangeStart`/`RangeEnd` included); `partition=day` asks for Parquet
partitioned by the export's `partition` column.

Every page is one operation through the router's operation pipeline (router/exports/pipeline.py):
the same analysis, limits, rate limits, `@authenticated`/`@requiresScopes`/`@policy`
authorization, response cache, metrics and spans as a /graphql request, under the caller's
identity. The first page runs before the response starts, so a refused export (a FORBIDDEN
field, a rate limit, bad input, a failing subgraph) gets its HTTP status and the GraphQL errors,
and no file; a failure on a later page aborts the stream (the client sees a truncated transfer,
never a silently short file).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from router.exports.config import ExportsConfig
from router.exports.definitions import Column, ExportDefinition, ExportError, columns_for, load_exports
from router.exports.identity import ExportIdentity, error_response
from router.exports.keys import ApiKeyStore
from router.exports.runner import ExportFailed, RunPage, coerce_parameters, pages
from router.exports.writers import csv_chunks, ndjson_chunks, parquet_chunks, partitioned_parquet_chunks
from router.observability.metrics import EXPORT_ROWS, EXPORTS
from router.pipeline import EngineHolder, EngineLike, Operation, Pipeline
from router.security.authn import Authenticator
from router.types import GraphQLRequest, GraphQLResponse, RequestContext

__all__ = ["ExportService", "exports_routes"]


def _codes(errors: list[dict[str, Any]]) -> list[str]:
    return [
        str(error["extensions"]["code"])
        for error in errors
        if isinstance(error, dict)
        and isinstance(error.get("extensions"), dict)
        and "code" in error["extensions"]
    ]


_log = structlog.get_logger("router.exports")
_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "zip": "application/zip",
}
_error = error_response
_FORMATS = ("csv", "ndjson", "parquet")


class ExportService:
    """Export definitions, credentials and the engine, behind one Starlette endpoint."""

    def __init__(
        self,
        config: ExportsConfig,
        holder: EngineHolder,
        pipeline: Pipeline,
        *,
        authenticator: Authenticator | None = None,
        key_store: ApiKeyStore | None = None,
        base_dir: str | Path | None = None,
    ) -> None:
        self.config = config
        self._holder = holder
        self._pipeline = pipeline
        self._identity = ExportIdentity(config, authenticator=authenticator, key_store=key_store)
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

    def _runner(self, engine: EngineLike, context: RequestContext) -> RunPage:
        pipeline = self._pipeline

        async def run_page(request: GraphQLRequest) -> GraphQLResponse:
            # GET: an export only reads (the analysis stage refuses a mutation on GET).
            return await pipeline.run(Operation(request, context, "GET", engine))

        return run_page

    async def endpoint(self, request: Request) -> Response:
        started = time.perf_counter()
        response = await self._answer(request)
        if not isinstance(response, StreamingResponse):
            # One line per refused export too (a streamed one logs when it ends), never the URL:
            # it may carry an API key.
            name, _, extension = str(request.path_params["file"]).rpartition(".")
            errors = orjson.loads(bytes(response.body)).get("errors") or []
            if name in self.exports and extension in _FORMATS:  # labels bounded: never URL text
                EXPORTS.labels(name, extension, "refused").inc()
            _log.info(
                "export_refused",
                export=name,
                status=response.status_code,
                error_codes=_codes(errors),
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        return response

    async def _answer(self, request: Request) -> Response:
        name, _, extension = str(request.path_params["file"]).rpartition(".")
        definition = self.exports.get(name)
        if definition is None or extension not in _FORMATS:
            return _error(404, f"No export {request.path_params['file']!r}", "NOT_FOUND")
        context = await self._identity.context(request)
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
            return JSONResponse({"errors": failure.errors}, failure.status, headers=failure.headers)
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
        started = time.perf_counter()
        rows = pages(
            definition,
            variables,
            self._runner(engine, context),
            max_rate_limit_wait=self.config.max_rate_limit_wait,
        )
        try:
            first = await anext(rows)
        except ExportFailed as failure:
            return JSONResponse({"errors": failure.errors}, failure.status, headers=failure.headers)
        except StopAsyncIteration:
            first = []

        async def replay() -> AsyncIterator[list[dict[str, Any]]]:
            count = 0
            outcome = "failed"
            try:
                yield first
                count += len(first)
                async for page in rows:
                    yield page
                    count += len(page)
                outcome = "ok"
            except ExportFailed as failure:
                _log.error("export_failed_mid_stream", export=name, rows=count, errors=failure.errors)
                raise
            finally:
                EXPORTS.labels(name, extension, outcome).inc()
                EXPORT_ROWS.labels(name).inc(count)
                _log.info(
                    "export_finished",
                    export=name,
                    format=extension,
                    outcome=outcome,
                    rows=count,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                )

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
    pipeline: Pipeline,
    *,
    authenticator: Authenticator | None = None,
    key_store: ApiKeyStore | None = None,
    base_dir: str | Path | None = None,
) -> list[Route]:
    """The `/exports/{name}.{ext}` route (empty when exports are disabled)."""
    if not config.enabled:
        return []
    service = ExportService(
        config, holder, pipeline, authenticator=authenticator, key_store=key_store, base_dir=base_dir
    )
    return [Route("/exports/{file}", service.endpoint, methods=["GET"])]
