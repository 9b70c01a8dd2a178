"""A supergraph composed from Federation 1 subgraphs (core v0.2 + join v0.1, `@join__owner`,
no `@join__type` on root types) runs like a Federation 2 one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from router.engine import Engine
from tests.router.support.federation import Federation
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

SUPERGRAPH = """
schema
  @core(feature: "https://specs.apollo.dev/core/v0.2")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
{
  query: Query
}

directive @core(as: String, feature: String!, for: core__Purpose) repeatable on SCHEMA
directive @join__field(graph: join__Graph, provides: join__FieldSet, requires: join__FieldSet) on FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT

enum core__Purpose {
  EXECUTION
  SECURITY
}

scalar join__FieldSet

enum join__Graph {
  PEOPLE @join__graph(name: "people" url: "http://127.0.0.1:9/people")
  SPORTS @join__graph(name: "sports" url: "http://127.0.0.1:9/sports")
}

type Query {
  athletes: [Athlete!]! @join__field(graph: PEOPLE)
}

type Athlete @join__owner(graph: PEOPLE) @join__type(graph: PEOPLE, key: "id") @join__type(graph: SPORTS, key: "id") {
  id: ID! @join__field(graph: PEOPLE)
  name: String! @join__field(graph: PEOPLE)
  sport: String! @join__field(graph: SPORTS)
}
"""

ATHLETES: dict[str, dict[str, Any]] = {"1": {"id": "1", "name": "Bolt"}, "2": {"id": "2", "name": "Biles"}}
SPORTS = {"1": "sprint", "2": "gymnastics"}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    subgraphs = {
        "people": TestSubgraph(
            """
            type Query { athletes: [Athlete!]! }
            type Athlete @key(fields: "id") { id: ID! name: String! }
            """,
            resolvers={"Query.athletes": lambda _r, _i: list(ATHLETES.values())},
        ),
        "sports": TestSubgraph(
            'type Athlete @key(fields: "id") @extends { id: ID! @external sport: String! }',
            entities={
                "Athlete": lambda rep: {"__typename": "Athlete", "id": rep["id"], "sport": SPORTS[rep["id"]]}
            },
        ),
    }
    async with running_subgraphs(subgraphs) as urls:
        engine = Engine(SUPERGRAPH, subgraph_urls=urls)
        try:
            yield Federation(engine, subgraphs)
        finally:
            await engine.aclose()


async def test_fed1_supergraph_plans_entity_jumps(fed: Federation) -> None:
    body = await fed.query("{ athletes { name sport } }")
    assert body == {
        "data": {"athletes": [{"name": "Bolt", "sport": "sprint"}, {"name": "Biles", "sport": "gymnastics"}]}
    }
    assert fed.subgraphs["sports"].representations == [
        {"__typename": "Athlete", "id": "1"},
        {"__typename": "Athlete", "id": "2"},
    ]
