"""@provides: external fields provided on a path are read from the providing graph — on object,
interface and nested positions — and fetched elsewhere when not provided."""

from __future__ import annotations

from tests.router.planner.helpers import expected, fetches, plan, plan_text
from tests.router.supergraph.sdl import supergraph

PROV = supergraph({"FEED": "feed", "PEOPLE": "people"}, '''
type Query @join__type(graph: FEED) @join__type(graph: PEOPLE) {
  posts: [Post] @join__field(graph: FEED)
  authors: [Person] @join__field(graph: FEED, provides: "name")
  featured: Post @join__field(graph: FEED, provides: "author { name ... on Coach { certified } }")
  timeline: [Entry] @join__field(graph: FEED, provides: "... on Coach { name }")
}
union Entry @join__type(graph: FEED) @join__unionMember(graph: FEED, member: "Post")
  @join__unionMember(graph: FEED, member: "Coach") = Post | Coach
type Post @join__type(graph: FEED, key: "id") {
  id: ID!
  author: Person
}
interface Person @join__type(graph: FEED) @join__type(graph: PEOPLE) {
  id: ID!
  name: String
}
type Coach implements Person @join__implements(graph: FEED, interface: "Person") @join__implements(graph: PEOPLE, interface: "Person")
  @join__type(graph: FEED, key: "id") @join__type(graph: PEOPLE, key: "id") {
  id: ID!
  name: String @join__field(graph: FEED, external: true) @join__field(graph: PEOPLE)
  certified: Boolean @join__field(graph: FEED, external: true) @join__field(graph: PEOPLE)
}
type Trainee implements Person @join__implements(graph: FEED, interface: "Person") @join__implements(graph: PEOPLE, interface: "Person")
  @join__type(graph: FEED, key: "id") @join__type(graph: PEOPLE, key: "id") {
  id: ID!
  name: String @join__field(graph: FEED, external: true) @join__field(graph: PEOPLE)
}
''')


def test_external_fields_without_provides_are_fetched_from_their_owner() -> None:
    text = plan_text(PROV, "{ posts { author { name } } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "feed") {
              query { posts { author { __typename ... on Coach { id } ... on Trainee { id } } } }
            },
            Flatten(path: "posts.@.author|[Coach,Trainee]") {
              Fetch(service: "people") {
                { ... on Coach { __typename id } ... on Trainee { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Coach { name } ... on Trainee { name } } }
              },
            },
          },
        }
        """
    )


def test_provides_on_an_interface_field_keeps_the_field_local() -> None:
    [only] = fetches(plan(PROV, "{ authors { name } }").node)
    assert only.operation == "query { authors { __typename ... on Coach { name } ... on Trainee { name } } }"


def test_nested_provides_with_a_type_condition() -> None:
    [only] = fetches(plan(PROV, "{ featured { author { name ... on Coach { certified } } } }").node)
    assert only.subgraph == "feed"
    assert only.operation == (
        "query { featured { author { __typename ... on Coach { name certified } ... on Trainee { name } } } }"
    )


def test_a_field_outside_the_provided_set_still_jumps() -> None:
    # `featured` provides Coach.certified, but `authors` only provides name.
    subgraphs = [f.subgraph for f in fetches(plan(PROV, "{ authors { ... on Coach { certified } } }").node)]
    assert subgraphs == ["feed", "people"]


def test_provides_on_a_union_field_applies_per_member() -> None:
    [only] = fetches(plan(PROV, "{ timeline { ... on Coach { name } ... on Post { id } } }").node)
    assert only.operation == "query { timeline { __typename ... on Coach { name } ... on Post { id } } }"
    # certified is not provided on this path: it needs people
    subgraphs = [f.subgraph for f in fetches(plan(PROV, "{ timeline { ... on Coach { certified } } }").node)]
    assert subgraphs == ["feed", "people"]
