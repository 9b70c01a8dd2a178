"""Older supergraph formats: `@core` (core spec) links and join v0.1 `@join__owner`."""

from __future__ import annotations

from router.supergraph import load_supergraph
from tests.router.planner.helpers import fetches, plan

CORE_SDL = '''
schema
  @core(feature: "https://specs.apollo.dev/core/v0.1")
  @core(feature: "https://specs.apollo.dev/join/v0.1")
{
  query: Query
}

directive @core(feature: String!) repeatable on SCHEMA
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet) on FIELD_DEFINITION
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on OBJECT | INTERFACE
directive @join__owner(graph: join__Graph!) on OBJECT | INTERFACE
directive @join__graph(name: String!, url: String!) on ENUM_VALUE

scalar join__FieldSet

enum join__Graph {
  PEOPLE @join__graph(name: "people", url: "http://127.0.0.1:1/people")
  PETS @join__graph(name: "pets", url: "http://127.0.0.1:1/pets")
}

type Query {
  owner: Owner @join__field(graph: PEOPLE)
}

type Owner @join__owner(graph: PEOPLE) @join__type(graph: PEOPLE, key: "id") @join__type(graph: PETS, key: "id") {
  id: ID!
  name: String
  pets: [String] @join__field(graph: PETS)
}
'''


def test_core_links_and_join_owner_are_understood() -> None:
    loaded = load_supergraph(CORE_SDL)
    assert set(loaded.graphs) == {"people", "pets"}
    owner = loaded.types["Owner"]
    assert owner.fields["name"].serving == {"people"}  # owned fields stay with the owner
    assert owner.fields["pets"].serving == {"pets"}
    assert "join__" not in str(loaded.api_schema.type_map)
    subgraphs = [f.subgraph for f in fetches(plan(CORE_SDL, "{ owner { name pets } }").node)]
    assert subgraphs == ["people", "pets"]
