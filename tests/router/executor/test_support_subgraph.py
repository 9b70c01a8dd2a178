"""The test-subgraph helper itself speaks the federation subgraph protocol over HTTP."""

from __future__ import annotations

import orjson

from router.subgraph_client import SubgraphClient
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

SDL = """
type Query { hello: String }
type Thing @key(fields: "id") { id: ID! size: Int }
"""


async def test_service_sdl_and_entities_over_http() -> None:
    thing = TestSubgraph(
        SDL,
        resolvers={"Query.hello": lambda _r, _i: "hi"},
        entities={"Thing": lambda rep: {"__typename": "Thing", "id": rep["id"], "size": len(rep["id"])}},
    )
    client = SubgraphClient()
    try:
        async with running_subgraphs({"thing": thing}) as urls:
            url = urls["thing"]
            service = await client.fetch("thing", url, orjson.dumps({"query": "{ hello _service { sdl } }"}))
            assert service == {"data": {"hello": "hi", "_service": {"sdl": SDL}}}
            query = "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Thing { id size } } }"
            reps = [{"__typename": "Thing", "id": "abc"}, {"__typename": "Nope", "id": "x"}]
            entities = await client.fetch(
                "thing", url, orjson.dumps({"query": query, "variables": {"representations": reps}})
            )
    finally:
        await client.aclose()
    assert entities["data"] == {"_entities": [{"id": "abc", "size": 3}, None]}
    assert [e["path"] for e in entities["errors"]] == [["_entities", 1]]
    assert [r.representations for r in thing.received] == [[], reps]
