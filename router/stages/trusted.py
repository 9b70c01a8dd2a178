"""Trusted documents (DESIGN §2 stage 2): a manifest of the operations first-party clients send.

Manifest forms (JSON): Apollo's persisted-query manifest `{"operations": [{"id", "body",
"name"}]}` (extra keys such as "format", "version", "type" are ignored) and the flat
`{"<id>": "<body>"}` map. The file is loaded at start and reloaded when its mtime or size
changes (checked at most every `poll_interval` seconds, off the event loop).

Two stages, because the pieces they need live on both sides of the APQ and authentication
stages:
- `resolve` runs BEFORE the APQ stage: a request by id (`extensions.documentId`, a
  `document_id` on the request, or `extensions.persistedQuery.sha256Hash` naming a manifest
  entry) gets the manifest body as its query, so APQ never answers PERSISTED_QUERY_NOT_FOUND
  for a trusted id.
- `enforce` runs AFTER authentication and before analysis: modes `off` / `log_unknown` /
  `safelist` (admins may still send free queries when `allow_admin_free_queries`). A manifest
  operation is answered with a PreparedOperation cached per entry, so it is never parsed or
  validated again (the Engine's plan cache then hits by document hash).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import structlog
from prometheus_client import Counter

from router.caching.config import TrustedDocumentsConfig
from router.pipeline import EngineLike, NextStage, Operation
from router.security.authn import request_claims
from router.stages.errors import request_error
from router.types import GraphQLRequest, GraphQLResponse

__all__ = [
    "TRUSTED_DOCUMENTS",
    "Manifest",
    "ManifestError",
    "TrustedDocuments",
    "TrustedDocumentsConfig",
    "TrustedOperation",
    "load_manifest",
    "parse_manifest",
]

_log = structlog.get_logger("router.trusted_documents")
_RESOLVED_ATTRIBUTE = "trusted_documents.resolved"

TRUSTED_DOCUMENTS = Counter(
    "fitgraph_router_trusted_documents_total",
    "Operations seen by the trusted-documents stage, by outcome "
    "(trusted, unknown_logged, admin_free_query, refused, unknown_id).",
    ["outcome"],
)


class ManifestError(ValueError):
    """The manifest file is missing, unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class TrustedOperation:
    id: str
    body: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    by_id: Mapping[str, TrustedOperation]
    by_body: Mapping[str, TrustedOperation]

    @classmethod
    def empty(cls) -> Manifest:
        return cls({}, {})

    def __len__(self) -> int:
        return len(self.by_id)


def parse_manifest(data: Any) -> Manifest:
    """Either manifest form, already decoded from JSON."""
    entries: list[TrustedOperation] = []
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        for index, item in enumerate(data["operations"]):
            if not isinstance(item, dict):
                raise ManifestError(f"operations[{index}] must be an object")
            op_id, body, name = item.get("id"), item.get("body"), item.get("name")
            if not isinstance(op_id, str) or not op_id or not isinstance(body, str) or not body.strip():
                raise ManifestError(f"operations[{index}] needs a non-empty string `id` and `body`")
            if name is not None and not isinstance(name, str):
                raise ManifestError(f"operations[{index}].name must be a string")
            entries.append(TrustedOperation(op_id, body, name or None))
    elif isinstance(data, dict):
        for op_id, body in data.items():
            if not isinstance(body, str) or not body.strip():
                raise ManifestError(f"{op_id!r}: the flat form maps ids to non-empty query strings")
            entries.append(TrustedOperation(op_id, body))
    else:
        raise ManifestError('a manifest is {"operations": [...]} or a flat {"<id>": "<body>"} object')
    by_id: dict[str, TrustedOperation] = {}
    for entry in entries:
        if entry.id in by_id and by_id[entry.id].body != entry.body:
            raise ManifestError(f"id {entry.id!r} appears twice with different bodies")
        by_id[entry.id] = entry
    return Manifest(by_id, {entry.body: entry for entry in by_id.values()})


def load_manifest(path: str | Path) -> Manifest:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ManifestError(
            f"cannot read trusted documents manifest {path}: {error.strerror or error}"
        ) from None
    try:
        return parse_manifest(orjson.loads(raw))
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"{path} is not valid JSON: {error}") from None


def _file_signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class _TrustedEngine:
    """The engine as seen by one manifest's operations: `prepare` answers manifest bodies from
    a per-entry cache and delegates everything else. One per engine, so stages that cache per
    engine (authorization) keep hitting their cache."""

    __slots__ = ("__weakref__", "_engine", "_prepared")

    def __init__(self, engine: EngineLike) -> None:
        self._engine = engine
        self._prepared: dict[tuple[str, str | None], Any] = {}

    @property
    def api_schema(self) -> Any:
        return self._engine.api_schema

    def pin(self, request: GraphQLRequest) -> Any:
        """The cached PreparedOperation of a manifest request (prepared on first use), or the
        error response the Engine gives when the manifest body does not fit the schema."""
        key = (request.query or "", request.operation_name)
        found = self._prepared.get(key)
        if found is None:
            found = self._engine.prepare(request)
            if not isinstance(found, GraphQLResponse):
                self._prepared[key] = found
        return found

    def forget(self) -> None:
        self._prepared.clear()

    def prepare(self, request: GraphQLRequest) -> Any:
        found = self._prepared.get((request.query or "", request.operation_name))
        return found if found is not None else self._engine.prepare(request)

    async def execute(self, prepared: Any, request: GraphQLRequest, context: Any) -> GraphQLResponse:
        return await self._engine.execute(prepared, request, context)

    async def aclose(self) -> None:
        await self._engine.aclose()

    def __getattr__(self, name: str) -> Any:
        # Anything else (supergraph, plan_for, subgraph_urls…) is the real engine's.
        return getattr(self._engine, name)


def _requested_id(request: GraphQLRequest) -> tuple[str | None, bool]:
    """(id, explicit): explicit ids (documentId) must be in the manifest; an APQ hash may
    instead be APQ's business."""
    document_id = getattr(request, "document_id", None)
    extensions = request.extensions or {}
    if document_id is None:
        document_id = extensions.get("documentId")
    if isinstance(document_id, str) and document_id:
        return document_id, True
    persisted = extensions.get("persistedQuery")
    if isinstance(persisted, dict):
        sha256 = persisted.get("sha256Hash")
        if isinstance(sha256, str) and sha256:
            return sha256, False
    return None, False


class TrustedDocuments:
    """The manifest plus its two stages (`resolve`, `enforce`); shared by every request."""

    def __init__(self, config: TrustedDocumentsConfig, *, base_dir: str | Path | None = None) -> None:
        self.config = config
        self._path: Path | None = None
        if config.manifest is not None:
            path = Path(config.manifest)
            self._path = path if path.is_absolute() or base_dir is None else Path(base_dir) / path
        elif config.mode != "off":
            raise ManifestError(f"trusted_documents.mode {config.mode} needs a `manifest` file")
        self._manifest = Manifest.empty()
        self._signature: tuple[int, int] | None = None
        if self._path is not None:
            self._signature = _file_signature(self._path)
            self._manifest = load_manifest(self._path)  # at start a bad manifest is fatal
        self._next_check = time.monotonic() + config.poll_interval
        self._reloading: asyncio.Future[bool] | None = None
        self._engines: weakref.WeakKeyDictionary[Any, _TrustedEngine] = weakref.WeakKeyDictionary()

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    # -- reload -------------------------------------------------------------------------------

    def _maybe_reload(self) -> None:
        if self._path is None or self.config.poll_interval <= 0:
            return
        now = time.monotonic()
        if now < self._next_check or (self._reloading is not None and not self._reloading.done()):
            return
        self._next_check = now + self.config.poll_interval
        # In the background: the request in hand keeps the current manifest.
        self._reloading = asyncio.ensure_future(self.reload())

    async def reload(self) -> bool:
        """Re-read the manifest if the file changed; True when a new manifest is in place.
        A broken or missing file keeps the last good manifest (and is logged)."""
        path = self._path
        if path is None:
            return False
        signature = await asyncio.to_thread(_file_signature, path)
        if signature is None or signature == self._signature:
            return False
        try:
            manifest = await asyncio.to_thread(load_manifest, path)
        except ManifestError as error:
            _log.error("trusted_documents_reload_failed", error=str(error))
            self._signature = signature
            return False
        self._manifest, self._signature = manifest, signature
        for engine in list(self._engines.values()):
            engine.forget()
        _log.info("trusted_documents_reloaded", operations=len(manifest))
        return True

    async def aclose(self) -> None:
        if self._reloading is not None and not self._reloading.done():
            self._reloading.cancel()

    # -- stages -------------------------------------------------------------------------------

    async def resolve(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        """Stage before APQ: a request by id gets the manifest body."""
        self._maybe_reload()
        request = operation.request
        requested, explicit = _requested_id(request)
        if requested is None:
            return await call_next(operation)
        entry = self._manifest.by_id.get(requested)
        if entry is None:
            if explicit:
                TRUSTED_DOCUMENTS.labels("unknown_id").inc()
                return request_error(
                    f"No trusted document with id {requested!r}", "PERSISTED_QUERY_NOT_FOUND", status=400
                )
            return await call_next(operation)  # an APQ hash: the APQ stage's business
        if request.query is not None and request.query != entry.body:
            return request_error(
                "The query text differs from the trusted document it names",
                "PERSISTED_QUERY_ID_MISMATCH",
                status=400,
            )
        extensions = {
            key: value
            for key, value in (request.extensions or {}).items()
            if key not in ("persistedQuery", "documentId")
        }
        operation.request = replace(
            request,
            query=entry.body,
            operation_name=request.operation_name or entry.name,
            extensions=extensions or None,
        )
        resolved = operation.context.attributes.setdefault(_RESOLVED_ATTRIBUTE, {})
        # Keyed by the operation: a batch shares one RequestContext.
        resolved[id(operation)] = entry
        try:
            return await call_next(operation)
        finally:
            resolved.pop(id(operation), None)

    def _trusted_engine(self, engine: EngineLike) -> _TrustedEngine:
        if isinstance(engine, _TrustedEngine):
            return engine
        wrapped = self._engines.get(engine)
        if wrapped is None:
            wrapped = self._engines[engine] = _TrustedEngine(engine)
        return wrapped

    async def enforce(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        """Stage after authentication, before analysis: the mode's rule, and cached preparation
        of manifest operations."""
        request = operation.request
        entry: TrustedOperation | None = operation.context.attributes.get(_RESOLVED_ATTRIBUTE, {}).get(
            id(operation)
        )
        if entry is None and request.query is not None and not self.config.require_id:
            entry = self._manifest.by_body.get(request.query)
        if entry is not None:
            engine = self._trusted_engine(operation.engine)
            pinned = engine.pin(request)
            if isinstance(pinned, GraphQLResponse):
                return pinned
            operation.engine = engine
            TRUSTED_DOCUMENTS.labels("trusted").inc()
            return await call_next(operation)
        mode = self.config.mode
        if mode == "off" or request.query is None:
            return await call_next(operation)
        digest = hashlib.sha256(request.query.encode("utf-8")).hexdigest()
        if mode == "log_unknown":
            _log.warning("unknown_operation", operation_name=request.operation_name, sha256=digest)
            TRUSTED_DOCUMENTS.labels("unknown_logged").inc()
            return await call_next(operation)
        claims = request_claims(operation.context)
        if self.config.allow_admin_free_queries and claims is not None and claims.is_admin:
            _log.info("admin_free_query", operation_name=request.operation_name, sha256=digest)
            TRUSTED_DOCUMENTS.labels("admin_free_query").inc()
            return await call_next(operation)
        TRUSTED_DOCUMENTS.labels("refused").inc()
        return request_error(
            "This router only runs trusted documents; the operation is not in its manifest",
            "PERSISTED_QUERY_NOT_IN_LIST",
            status=400,
        )
