"""Abstract types across graphs: type explosion, union / interface intersections between
subgraphs, `__typename` and aliases on abstract positions."""

from __future__ import annotations

import pytest

from router.planner import PlanningError
from tests.router.planner.helpers import expected, fetches, plan, plan_text
from tests.router.supergraph.sdl import supergraph

ABSTRACT = supergraph({"CATALOG": "catalog", "MEDIA": "media", "REVIEWS": "reviews"}, '''
type Query @join__type(graph: CATALOG) @join__type(graph: MEDIA) @join__type(graph: REVIEWS) {
  items: [Item] @join__field(graph: CATALOG)
  search: [SearchResult] @join__field(graph: MEDIA)
  orphan: Item @join__field(graph: REVIEWS)
}
interface Item @join__type(graph: CATALOG) @join__type(graph: MEDIA) @join__type(graph: REVIEWS) {
  id: ID!
  title: String @join__field(graph: CATALOG)
}
union SearchResult @join__type(graph: CATALOG) @join__type(graph: MEDIA)
  @join__unionMember(graph: CATALOG, member: "Book") @join__unionMember(graph: CATALOG, member: "Video")
  @join__unionMember(graph: MEDIA, member: "Video") @join__unionMember(graph: MEDIA, member: "Podcast")
  = Book | Video | Podcast
type Book implements Item @join__implements(graph: CATALOG, interface: "Item")
  @join__type(graph: CATALOG, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  title: String @join__field(graph: CATALOG)
  reviews: [String] @join__field(graph: REVIEWS)
}
type Video implements Item @join__implements(graph: CATALOG, interface: "Item") @join__implements(graph: MEDIA, interface: "Item")
  @join__type(graph: CATALOG, key: "id") @join__type(graph: MEDIA, key: "id") {
  id: ID!
  title: String @join__field(graph: CATALOG)
  duration: Int @join__field(graph: MEDIA)
}
type Podcast @join__type(graph: MEDIA) {
  host: String
}
''')


def test_fragments_on_types_of_other_graphs_explode_per_runtime_type() -> None:
    text = plan_text(ABSTRACT, "{ items { title ... on Book { reviews } ... on Video { duration } } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              query { items { __typename ... on Book { title id } ... on Video { title id } } }
            },
            Parallel {
              Flatten(path: "items.@|[Book]") {
                Fetch(service: "reviews") {
                  { ... on Book { __typename id } } =>
                  query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Book { reviews } } }
                },
              },
              Flatten(path: "items.@|[Video]") {
                Fetch(service: "media") {
                  { ... on Video { __typename id } } =>
                  query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Video { duration } } }
                },
              },
            },
          },
        }
        """
    )


def test_union_members_unknown_to_the_serving_graph_are_left_out() -> None:
    # media's SearchResult has Video and Podcast only: `... on Book` cannot be sent there.
    text = plan_text(
        ABSTRACT,
        "{ search { __typename ... on Podcast { host } ... on Book { title } ... on Video { title } } }",
    )
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              query { search { __typename ... on Podcast { host } ... on Video { id } } }
            },
            Flatten(path: "search.@|[Video]") {
              Fetch(service: "catalog") {
                { ... on Video { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Video { title } } }
              },
            },
          },
        }
        """
    )


def test_typename_aliases_and_interface_fragments_stay_in_one_fetch() -> None:
    text = plan_text(ABSTRACT, "{ items { __typename t: __typename ... on Item { id } } }")
    assert text == expected(
        """
        QueryPlan {
          Fetch(service: "catalog") {
            query { items { __typename ... on Book { t: __typename id } ... on Video { t: __typename id } } }
          },
        }
        """
    )


def test_an_interface_without_implementations_in_its_graph_gives_its_own_fields() -> None:
    # fields of implementations the graph does not know come from their owners, by a key
    # made of the interface's own fields (what Apollo plans for a Federation 1 node resolver)
    text = plan_text(ABSTRACT, "{ orphan { id ... on Book { reviews } } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              query { orphan { __typename id } }
            },
            Flatten(path: "orphan|[Book]") {
              Fetch(service: "reviews") {
                { ... on Item { __typename id } ... on Book { __typename id } ... on Video { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Book { reviews } } }
              },
            },
          },
        }
        """
    )
    [conditional] = fetches(plan(ABSTRACT, "query ($x: Boolean!) { orphan { ... @include(if: $x) { id } } }").node)
    assert conditional.operation == "query($x: Boolean!) { orphan { __typename ... @include(if: $x) { id } } }"
    with pytest.raises(PlanningError, match="orphan"):
        plan(ABSTRACT, "{ orphan { title } }")
