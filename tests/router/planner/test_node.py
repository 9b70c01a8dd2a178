"""Relay-style `node(id:)` shared by two graphs that each know only some implementations'
fields: each aliased root field goes where its fragments resolve; impossible ones fail."""

from __future__ import annotations

import pytest

from router.planner import PlanningError
from tests.router.planner.helpers import expected, plan, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph({"A": "a", "B": "b"}, '''
type Query @join__type(graph: A) @join__type(graph: B) {
  node(id: ID!): Node
  profile(id: String!): Profile @join__field(graph: A)
  thread(id: String!): Thread @join__field(graph: B)
}
interface Node @join__type(graph: A) @join__type(graph: B) { id: ID! }
type Profile implements Node @join__implements(graph: A, interface: "Node") @join__implements(graph: B, interface: "Node")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID! @join__field(graph: A) @join__field(graph: B, external: true)
  handle: String! @join__field(graph: A)
  threads: [Thread!]! @join__field(graph: B)
}
type Thread implements Node @join__implements(graph: A, interface: "Node") @join__implements(graph: B, interface: "Node")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B)
  profile: Profile! @join__field(graph: A)
  body: String! @join__field(graph: B)
}
''')


def test_typename_only_needs_one_fetch() -> None:
    text = plan_text(SDL, '{ p: node(id: "p1") { __typename } t: node(id: "t1") { __typename } }')
    assert text == expected(
        """
        QueryPlan {
          Fetch(service: "a") {
            query { p: node(id: "p1") { __typename } t: node(id: "t1") { __typename } }
          },
        }
        """
    )


def test_each_node_field_goes_to_the_graph_that_resolves_its_fragment() -> None:
    text = plan_text(
        SDL, '{ p: node(id: "p1") { ... on Profile { id handle } } t: node(id: "t1") { ... on Thread { id body } } }'
    )
    assert text == expected(
        """
        QueryPlan {
          Parallel {
            Fetch(service: "a") {
              query { p: node(id: "p1") { __typename ... on Profile { id handle } } }
            },
            Fetch(service: "b") {
              query { t: node(id: "t1") { __typename ... on Thread { id body } } }
            },
          },
        }
        """
    )


def test_an_external_key_field_of_a_plain_type_is_not_served_by_that_graph() -> None:
    # In "a", Thread.id is @external (not an extension): "a" cannot return it.
    text = plan_text(SDL, '{ thread(id: "t1") { id body profile { id } } }')
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              query { thread(id: "t1") { id body __typename } }
            },
            Flatten(path: "thread") {
              Fetch(service: "a") {
                { ... on Thread { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Thread { profile { id } } } }
              },
            },
          },
        }
        """
    )


def test_a_selection_no_graph_can_complete_is_a_planning_error() -> None:
    with pytest.raises(PlanningError, match="selection of node"):
        plan(SDL, '{ p: node(id: "p1") { id ... on Thread { id } } }')
