"""Fixtures for the live-reload tests: supergraph versions whose answers tell them apart, the
subgraphs behind them, and a supergraph "registry" (an HTTP server with conditional GET).

Every version answers `{ product(id: "1") { name price } }` differently, so a response names
the supergraph that served it:

    V1: products edition a; price from PRODUCTS  -> {"name": "Kettlebell (a)", "price": 40}
    V2: products edition b; price from PRICING   -> {"name": "Kettlebell (b)", "price": 41}
    V3: products edition a; price from PRICING   -> {"name": "Kettlebell (a)", "price": 41}

V1 → V3 changes the plan (price moves to an entity fetch), not only a URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Literal

from tests.router.supergraph.sdl import supergraph_header
from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import running_server

__all__ = [
    "ANSWERS",
    "GARBAGE",
    "NOT_A_SUPERGRAPH",
    "QUERY",
    "Federation",
    "Registry",
    "running_federation",
    "running_registry",
]

QUERY = '{ product(id: "1") { name price } }'

PRODUCTS_SDL = """
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String! price: Int }
"""

PRICING_SDL = """
type Product @key(fields: "id") { id: ID! price: Int }
"""

_SUPERGRAPH = supergraph_header().replace("%", "%%") + """
enum join__Graph {
  PRODUCTS @join__graph(name: "products", url: "%(products)s")
  PRICING @join__graph(name: "pricing", url: "%(pricing)s")
}

type Query @join__type(graph: PRODUCTS) @join__type(graph: PRICING) {
  product(id: ID!): Product @join__field(graph: PRODUCTS)
}

type Product @join__type(graph: PRODUCTS, key: "id") @join__type(graph: PRICING, key: "id") {
  id: ID!
  name: String! @join__field(graph: PRODUCTS)
  price: Int @join__field(graph: %(price_graph)s)
}
"""

ANSWERS: dict[str, dict[str, Any]] = {
    "V1": {"product": {"name": "Kettlebell (a)", "price": 40}},
    "V2": {"product": {"name": "Kettlebell (b)", "price": 41}},
    "V3": {"product": {"name": "Kettlebell (a)", "price": 41}},
}
_LAYOUT = {"V1": ("a", "PRODUCTS"), "V2": ("b", "PRICING"), "V3": ("a", "PRICING")}

# Refused by the router: not a supergraph at all, and GraphQL that is not a supergraph.
GARBAGE = "this is { not a supergraph"
NOT_A_SUPERGRAPH = "type Query { nothing: String }"


@dataclass
class _Edition:
    """A products subgraph; `gate`, when set, holds every product lookup until it opens."""

    name: str
    gate: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once a product lookup has started."""

    async def product(self, _root: Any, _info: Any, id: str) -> dict[str, Any] | None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)  # let other requests interleave, as a real store would
        if id != "1":
            return None
        return {"__typename": "Product", "id": id, "name": f"Kettlebell ({self.name})", "price": 40}


@dataclass
class Federation:
    editions: dict[str, _Edition]
    subgraphs: dict[str, TestSubgraph]
    urls: dict[str, str]

    def sdl(self, version: str) -> str:
        edition, price_graph = _LAYOUT[version]
        return _SUPERGRAPH % {
            "products": self.urls[f"products_{edition}"],
            "pricing": self.urls["pricing"],
            "price_graph": price_graph,
        }

    def version_of(self, sdl: str) -> str | None:
        return next((version for version in _LAYOUT if self.sdl(version) == sdl), None)


def _products(edition: _Edition) -> TestSubgraph:
    return TestSubgraph(
        PRODUCTS_SDL,
        resolvers={"Query.product": edition.product},
        entities={"Product": lambda rep: {"__typename": "Product", "id": rep["id"], "price": 40}},
    )


@contextlib.asynccontextmanager
async def running_federation() -> AsyncIterator[Federation]:
    editions = {name: _Edition(name) for name in ("a", "b")}
    subgraphs = {f"products_{name}": _products(edition) for name, edition in editions.items()}
    subgraphs["pricing"] = TestSubgraph(
        PRICING_SDL, entities={"Product": lambda rep: {"__typename": "Product", "id": rep["id"], "price": 41}}
    )
    async with running_subgraphs(subgraphs) as urls:
        yield Federation(editions, subgraphs, urls)


Validators = Literal["etag", "last_modified", "none"]


@dataclass
class Registry:
    """Serves `sdl` at GET /supergraph.graphql with an ETag and/or Last-Modified, answering
    conditional requests with 304. `status` forces another answer; `hang` never answers."""

    sdl: str
    validators: Validators = "etag"
    status: int = 200
    hang: bool = False
    requests: list[dict[str, str]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    _version: int = 0
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self, sdl: str) -> None:
        self.sdl = sdl
        self._version += 1

    def _headers(self) -> dict[str, str]:
        digest = hashlib.sha256(self.sdl.encode()).hexdigest()[:16]
        headers: dict[str, str] = {}
        if self.validators == "etag":
            headers["etag"] = f'"{digest}"'
        if self.validators == "last_modified":
            # One second per published version: distinct, deterministic HTTP dates.
            headers["last-modified"] = formatdate(1_700_000_000 + self._version, usegmt=True)
        return headers

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self._released.set()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        request = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        self.requests.append(request)
        if self.hang:
            await self._released.wait()
        headers = self._headers()
        if scope["path"] != "/supergraph.graphql":
            status, body = 404, b"not found"
        elif self.status != 200:
            status, body = self.status, b"registry trouble"
        elif _not_modified(request, headers):
            status, body = 304, b""
        else:
            status, body = 200, self.sdl.encode()
        self.statuses.append(status)
        raw = [(name.encode(), value.encode()) for name, value in headers.items()]
        if status != 304:
            raw += [(b"content-type", b"application/graphql"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def _not_modified(request: dict[str, str], headers: dict[str, str]) -> bool:
    # RFC 9110 §13.1.2/§13.1.3: If-None-Match decides when present; dates compare exactly here
    # since this registry only ever hands out its own Last-Modified values.
    if "if-none-match" in request:
        return "etag" in headers and request["if-none-match"] == headers["etag"]
    if "if-modified-since" in request:
        return "last-modified" in headers and request["if-modified-since"] == headers["last-modified"]
    return False


@contextlib.asynccontextmanager
async def running_registry(registry: Registry) -> AsyncIterator[str]:
    """Serve `registry`; yields the supergraph URL."""
    async with running_server(registry) as base:
        try:
            yield f"{base}/supergraph.graphql"
        finally:
            registry._released.set()
