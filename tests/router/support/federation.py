"""Engine-over-test-subgraphs harness for capability tests.

A test writes the supergraph body (types with join__ directives, graph enum values named after
the subgraph in upper case) and the subgraphs; `federation()` adds the join v0.3 / link
preamble, starts the subgraphs on loopback and yields a `Federation` that answers queries
through a real `Engine`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from router.engine import Engine
from router.types import GraphQLRequest, GraphQLResponse, RequestContext
from tests.router.supergraph.sdl import (
    INACCESSIBLE_DEFINITION,
    INACCESSIBLE_LINK,
    join_graph_enum,
    supergraph_header,
)
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

__all__ = ["Federation", "federation", "supergraph_sdl"]


def supergraph_sdl(graph_names: list[str], body: str) -> str:
    """A complete supergraph: the header (with inaccessible), `join__Graph` with placeholder URLs,
    then `body`."""
    header = supergraph_header(
        links=(INACCESSIBLE_LINK,), definitions=(INACCESSIBLE_DEFINITION,), mutation="type Mutation" in body
    )
    graph_enum = join_graph_enum({name: f"http://127.0.0.1:9/{name}" for name in graph_names})
    return f"{header}\n{graph_enum}{body}"


@dataclass
class Federation:
    engine: Engine
    subgraphs: Mapping[str, TestSubgraph]

    async def request(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> GraphQLResponse:
        request = GraphQLRequest(query=query, operation_name=operation_name, variables=variables)
        prepared = self.engine.prepare(request)
        if isinstance(prepared, GraphQLResponse):
            return prepared
        context = RequestContext(request_id="test", subgraph_headers=dict(headers or {}))
        return await self.engine.execute(prepared, request, context)

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The response body; fails the test on a request error."""
        response = await self.request(query, variables, **kwargs)
        assert not response.is_request_error, response.body
        return response.body

    def reset(self) -> None:
        for subgraph in self.subgraphs.values():
            subgraph.reset()


@contextlib.asynccontextmanager
async def federation(
    subgraphs: Mapping[str, TestSubgraph],
    body: str,
    *,
    subgraph_timeout: float = 30.0,
    extra_urls: Mapping[str, str] | None = None,
) -> AsyncIterator[Federation]:
    names = [*subgraphs, *(extra_urls or {})]
    async with running_subgraphs(subgraphs) as urls:
        urls.update(extra_urls or {})
        engine = Engine(supergraph_sdl(names, body), subgraph_urls=urls, subgraph_timeout=subgraph_timeout)
        try:
            yield Federation(engine, subgraphs)
        finally:
            await engine.aclose()
