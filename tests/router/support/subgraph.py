"""Federation subgraphs for router tests: an SDL plus Python resolvers, served on loopback.

The SDL is written in the Federation v2 subgraph dialect (`@key`, `@external`, `@requires`,
…); this module adds the federation plumbing (`_Any`, `_Entity`, `_service`, `_entities`)
and executes requests with graphql-core. Every request is recorded, and a test can switch the
subgraph into a failure mode (HTTP 500, malformed JSON, hanging) to exercise the router's
error handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    build_ast_schema,
    graphql,
    parse,
)

from tests.support.servers import running_server

__all__ = ["ReceivedRequest", "TestSubgraph", "running_subgraphs"]

_FEDERATION_PRELUDE = """
scalar _Any
scalar FieldSet
type _Service { sdl: String }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @external on FIELD_DEFINITION | OBJECT
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM | ENUM_VALUE | SCALAR | INPUT_OBJECT | INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION
directive @override(from: String!) on FIELD_DEFINITION
directive @interfaceObject on OBJECT
directive @extends on OBJECT | INTERFACE
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
"""

Resolver = Callable[..., Any]
EntityResolver = Callable[[dict[str, Any]], Any]
FailureMode = Literal["http_500", "malformed_json", "hang", "not_graphql"]


@dataclass(slots=True)
class ReceivedRequest:
    query: str
    variables: dict[str, Any]
    operation_name: str | None
    headers: dict[str, str]

    @property
    def representations(self) -> list[dict[str, Any]]:
        return list(self.variables.get("representations") or [])


@dataclass
class TestSubgraph:
    """A subgraph built from `sdl`; `resolvers` maps "Type.field" to `fn(parent, info, **args)`
    and `entities` maps a type name to `fn(representation) -> object | None` (sync or async).
    Objects are plain dicts; abstract types are resolved by their "__typename" entry."""

    __test__ = False  # not a pytest test class despite the name

    sdl: str
    resolvers: Mapping[str, Resolver] = field(default_factory=dict)
    entities: Mapping[str, EntityResolver] = field(default_factory=dict)
    received: list[ReceivedRequest] = field(default_factory=list)
    failure: FailureMode | None = None
    schema: GraphQLSchema = field(init=False)
    _release: asyncio.Event | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.schema = _build_schema(self.sdl)
        for coordinate, resolver in self.resolvers.items():
            type_name, field_name = coordinate.split(".", 1)
            owner = self.schema.type_map[type_name]
            assert isinstance(owner, GraphQLObjectType), coordinate
            owner.fields[field_name].resolve = resolver
        query_type = self.schema.query_type
        assert query_type is not None
        query_type.fields["_entities"].resolve = self._resolve_entities
        query_type.fields["_service"].resolve = lambda _root, _info: {"sdl": self.sdl}

    def reset(self) -> None:
        self.received.clear()
        self.failure = None

    @property
    def representations(self) -> list[dict[str, Any]]:
        """Every representation received, over all recorded requests."""
        return [rep for request in self.received for rep in request.representations]

    async def _resolve_entities(self, _root: Any, _info: Any, representations: list[Any]) -> list[Any]:
        results: list[Any] = []
        for representation in representations:
            resolver = self.entities.get(representation.get("__typename"))
            if resolver is None:
                results.append(GraphQLError(f"no entity resolver for {representation.get('__typename')}"))
                continue
            try:
                value = resolver(representation)
                if inspect.isawaitable(value):
                    value = await value
            except Exception as exc:  # surfaces as an error at ["_entities", i]
                value = GraphQLError(str(exc))
            results.append(value)
        return results

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self._release is not None:
                        self._release.set()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        payload = orjson.loads(body) if body else {}
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        self.received.append(
            ReceivedRequest(
                query=payload.get("query", ""),
                variables=payload.get("variables") or {},
                operation_name=payload.get("operationName"),
                headers=headers,
            )
        )
        if self.failure == "hang":
            if self._release is None:
                self._release = asyncio.Event()
            await self._release.wait()
            return await _respond(send, 503, b"released")
        if self.failure == "http_500":
            return await _respond(send, 500, b"Internal Server Error", "text/plain")
        if self.failure == "malformed_json":
            return await _respond(send, 200, b'{"data": {"oops"')
        if self.failure == "not_graphql":
            return await _respond(send, 200, b'["not", "a", "graphql", "response"]')
        result = await graphql(
            self.schema,
            payload.get("query", ""),
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        await _respond(send, 200, orjson.dumps(result.formatted))

    def release_hanging(self) -> None:
        if self._release is not None:
            self._release.set()
            self._release = None


async def _respond(send: Any, status: int, body: bytes, content_type: str = "application/json") -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _build_schema(sdl: str) -> GraphQLSchema:
    document = parse(sdl)
    entity_types: list[str] = []
    has_query = False
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            if definition.name.value == "Query" and isinstance(definition, ObjectTypeDefinitionNode):
                has_query = True
            if any(d.name.value == "key" for d in definition.directives or ()):
                if definition.name.value not in entity_types:
                    entity_types.append(definition.name.value)
    plumbing = _FEDERATION_PRELUDE
    query_fields = "_service: _Service!"
    if entity_types:
        plumbing += f"union _Entity = {' | '.join(entity_types)}\n"
        query_fields += "\n  _entities(representations: [_Any!]!): [_Entity]!"
    plumbing += f"{'extend type' if has_query else 'type'} Query {{\n  {query_fields}\n}}\n"
    return build_ast_schema(parse(sdl + "\n" + plumbing), assume_valid_sdl=True)


class _Dispatcher:
    """One ASGI app serving every subgraph under `/<name>/graphql`: one uvicorn server per
    federation keeps test start-up and shutdown cheap."""

    def __init__(self, subgraphs: Mapping[str, TestSubgraph]) -> None:
        self._subgraphs = dict(subgraphs)

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    for each in self._subgraphs.values():
                        each.release_hanging()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        name = scope["path"].strip("/").split("/", 1)[0]
        target = self._subgraphs.get(name)
        if target is None:
            await _respond(send, 404, b"no such subgraph", "text/plain")
            return
        await target(scope, receive, send)


@contextlib.asynccontextmanager
async def running_subgraphs(subgraphs: Mapping[str, TestSubgraph]) -> AsyncIterator[dict[str, str]]:
    """Serve every subgraph on one loopback server; yields {name: graphql URL}."""
    async with running_server(_Dispatcher(subgraphs)) as base:
        try:
            yield {name: f"{base}/{name}/graphql" for name in subgraphs}
        finally:
            for subgraph in subgraphs.values():
                subgraph.release_hanging()
