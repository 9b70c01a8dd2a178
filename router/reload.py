"""Live reload of the supergraph (issue 6, "Live reload").

A `SupergraphWatcher` polls one `SupergraphSource` every `supergraph.poll_interval` seconds:
a file (`FileSource`) or an http(s) URL (`UrlSource`, conditional GETs). A changed SDL that
builds an engine replaces the current one in the `EngineHolder` in one step, so:

- in-flight operations finish on the engine they started with (each `Operation` pins its
  engine), and the replaced engine is closed only after a grace period;
- plan and document caches belong to an engine, so the new one starts with empty caches and
  no plan of the old supergraph can ever serve a request that started after the swap;
- an SDL that does not build an engine is refused with a logged error, the old one keeps
  serving, and the same bad SDL is not retried until the source changes again.

Network trouble (connection errors, timeouts, non-200 answers) is logged and ignored: the
router keeps serving the supergraph it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import structlog
from prometheus_client import Counter
from yarl import URL

if TYPE_CHECKING:
    import aiohttp

    from router.config import RouterConfig, SupergraphConfig
    from router.pipeline import EngineHolder, EngineLike

__all__ = [
    "FileSource",
    "SupergraphFetchError",
    "SupergraphSource",
    "SupergraphWatcher",
    "UrlSource",
    "fetch_supergraph",
    "supergraph_source",
]

_log = structlog.get_logger("router.reload")

# A supergraph of a few hundred subgraphs is a few MB; anything far beyond is a wrong URL.
_MAX_SDL_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024

RELOADS = Counter(
    "fitgraph_router_supergraph_reloads_total",
    "Supergraph hot-reload events by outcome: reloaded (a new supergraph serves), refused (a "
    "changed supergraph that is invalid), poll_failed (the file or URL could not be read).",
    ("outcome",),
)


class _FailureLog:
    """Logs a failing poll once per distinct error, and the recovery: a source that stays
    down for an hour must not write a warning every poll interval."""

    __slots__ = ("_last", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._last: str | None = None

    def failed(self, event: str, error: str) -> None:
        RELOADS.labels("poll_failed").inc()
        if error != self._last:
            _log.warning(event, source=self._source, error=error)
            self._last = error

    def succeeded(self) -> None:
        if self._last is not None:
            _log.info("supergraph_source_recovered", source=self._source)
            self._last = None


class SupergraphFetchError(Exception):
    """The supergraph URL could not be fetched: the message says why (status, timeout, …)."""


class SupergraphSource(Protocol):
    """Where the watcher reads the supergraph from."""

    @property
    def location(self) -> str:
        """The file path or URL, for logs."""
        ...

    async def poll(self) -> str | None:
        """The current SDL, or None when it is known to be unchanged or cannot be read (the
        reason is logged: a failed poll never stops the router)."""
        ...

    async def aclose(self) -> None: ...


class FileSource:
    """A supergraph file, re-read at each poll (off the event loop)."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._failures = _FailureLog(str(self._path))

    @property
    def location(self) -> str:
        return str(self._path)

    async def poll(self) -> str | None:
        try:
            sdl = await asyncio.to_thread(self._path.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._failures.failed("supergraph_unreadable", str(error))
            return None
        self._failures.succeeded()
        return sdl

    async def aclose(self) -> None:
        return None


class UrlSource:
    """A supergraph served over http(s), polled with conditional GETs (RFC 9110 §13.1):
    the ETag of the last 200 goes back as If-None-Match and its Last-Modified as
    If-Modified-Since, so an unchanged supergraph costs a 304 without a body."""

    def __init__(self, url: str, *, timeout: float) -> None:
        self._url = url
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._etag: str | None = None
        self._last_modified: str | None = None
        self._location = _display(url)
        self._failures = _FailureLog(self._location)

    @property
    def location(self) -> str:
        return self._location

    async def fetch(self) -> str | None:
        """The SDL on a 200, None on a 304; SupergraphFetchError for anything else."""
        # Imported on first use: a router serving a file never loads aiohttp (memory).
        import aiohttp

        if self._session is None:
            # Created here, inside the running event loop that will use it.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout), headers={"user-agent": "fitgraph-router"}
            )
        headers = {"accept": "application/graphql, text/plain;q=0.9, */*;q=0.1"}
        if self._etag is not None:
            headers["if-none-match"] = self._etag
        if self._last_modified is not None:
            headers["if-modified-since"] = self._last_modified
        try:
            async with self._session.get(self._url, headers=headers) as response:
                if response.status == 304:
                    return None
                if response.status != 200:
                    raise SupergraphFetchError(f"HTTP {response.status} {response.reason or ''}".rstrip())
                body = await _read_capped(response)
                etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
        except TimeoutError:
            raise SupergraphFetchError(f"no answer within {self._timeout} s") from None
        except (aiohttp.ClientError, OSError, ValueError) as error:
            raise SupergraphFetchError(str(error) or type(error).__name__) from None
        try:
            sdl = body.decode("utf-8")
        except UnicodeDecodeError:
            raise SupergraphFetchError("the body is not UTF-8 text") from None
        # Validators of the body just read, valid or not: an unchanged bad SDL is then a 304.
        self._etag, self._last_modified = etag, last_modified
        return sdl

    async def poll(self) -> str | None:
        try:
            sdl = await self.fetch()
        except SupergraphFetchError as error:
            self._failures.failed("supergraph_fetch_failed", str(error))
            return None
        self._failures.succeeded()
        return sdl

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _display(url: str) -> str:
    """The URL for logs: without credentials (user:password@) and query (it may hold a token)."""
    parsed = URL(url)
    shown = parsed.with_user(None).with_query(None).with_fragment(None)
    return str(shown) + ("?…" if parsed.query_string else "")


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    if (response.content_length or 0) > _MAX_SDL_BYTES:
        raise SupergraphFetchError(f"the body is larger than {_MAX_SDL_BYTES} bytes")
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > _MAX_SDL_BYTES:
            raise SupergraphFetchError(f"the body is larger than {_MAX_SDL_BYTES} bytes")
    return bytes(body)


async def fetch_supergraph(url: str, *, fetch_timeout: float) -> str:
    """Fetch the supergraph once (router start-up); SupergraphFetchError says why it failed."""
    source = UrlSource(url, timeout=fetch_timeout)
    try:
        sdl = await source.fetch()
    finally:
        await source.aclose()
    if sdl is None:  # a 304 to a request without validators: the server is broken
        raise SupergraphFetchError("HTTP 304 to an unconditional request")
    return sdl


def supergraph_source(
    settings: SupergraphConfig, *, path: str | Path | None = None
) -> SupergraphSource | None:
    """The source to watch: `path` (the CLI's --supergraph) wins, then supergraph.url, then
    supergraph.path; None when there is nothing to watch."""
    if path is not None:
        return FileSource(path)
    if settings.url is not None:
        return UrlSource(settings.url, timeout=settings.fetch_timeout)
    if settings.path is not None:
        return FileSource(settings.path)
    return None


# (supergraph SDL, router config) -> engine; see router.app.EngineFactory.
_Factory = Callable[[str, "RouterConfig"], "EngineLike"]


class SupergraphWatcher:
    """Polls `source` and swaps changed, valid supergraphs into `holder`.

    `start()` begins polling in the background; `check()` polls once (the loop's body, also
    what tests drive); `aclose()` stops polling and closes the source and retired engines."""

    def __init__(
        self, holder: EngineHolder, source: SupergraphSource, config: RouterConfig, factory: _Factory
    ) -> None:
        self._holder = holder
        self._source = source
        self._config = config
        self._factory = factory
        self._retired: dict[asyncio.Task[None], EngineLike] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._rejected: str | None = None
        self._polling: asyncio.Task[None] | None = None
        self.reloads = 0
        """Supergraphs swapped in since start."""
        self.refusals = 0
        """Changed supergraphs refused (invalid SDL or an engine that would not build)."""

    @property
    def source(self) -> SupergraphSource:
        return self._source

    def start(self) -> None:
        if self._polling is None:
            self._polling = asyncio.create_task(self._run())

    async def _run(self) -> None:
        interval = self._config.supergraph.poll_interval
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception as error:  # a bug here must not end hot reload for good
                _log.exception("supergraph_watch_failed", source=self._source.location, error=str(error))

    async def check(self) -> bool:
        """Poll the source once; True when a new supergraph was swapped in."""
        sdl = await self._source.poll()
        holder = self._holder
        if sdl is None or sdl == holder.supergraph_sdl or sdl == self._rejected:
            return False
        try:
            # Off the event loop: building an engine (parse, API schema, planner) is CPU work.
            engine = await asyncio.to_thread(self._factory, sdl, self._config)
        except Exception as error:  # refuse it; the last good supergraph keeps serving
            _log.error("supergraph_reload_failed", source=self._source.location, error=str(error))
            self._rejected = sdl
            self.refusals += 1
            RELOADS.labels("refused").inc()
            return False
        # One synchronous step (no await): every request after it sees the new engine, every
        # request before it keeps the engine it pinned.
        old, holder.engine, holder.supergraph_sdl = holder.engine, engine, sdl
        self._rejected = None
        self.reloads += 1
        RELOADS.labels("reloaded").inc()
        _log.info(
            "supergraph_reloaded",
            source=self._source.location,
            sha256=hashlib.sha256(sdl.encode()).hexdigest()[:16],
        )
        self._retire(old)
        return True

    def _grace_period(self) -> float:
        # Long enough for an operation that started on the old engine to finish: a fetch may
        # take the subgraph timeout on each attempt, plus the back-off between retries.
        # (Engines of the default factory share one pooled client, so closing them never cuts
        # a request off; the grace matters for engines that own their client.)
        subgraphs = self._config.subgraphs
        retries = subgraphs.retry.max_retries if subgraphs.retry.enabled else 0
        return subgraphs.timeout * (1 + retries) + subgraphs.retry.max_delay * retries + 1.0

    def _retire(self, engine: EngineLike) -> None:
        task = asyncio.create_task(asyncio.sleep(self._grace_period()))
        self._retired[task] = engine
        task.add_done_callback(self._close_retired)

    def _close_retired(self, task: asyncio.Task[None]) -> None:
        engine = self._retired.pop(task, None)
        if engine is not None and not task.cancelled():
            closing = asyncio.ensure_future(engine.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        retired = list(self._retired.items())
        self._retired.clear()
        for task, engine in retired:
            task.cancel()
            await engine.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        await self._source.aclose()
