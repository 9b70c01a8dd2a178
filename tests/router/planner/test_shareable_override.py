"""@shareable fields and shared root fields (pick the graph that saves fetches), value types
that only one graph can complete, and @override (incl. from a graph that no longer exists)."""

from __future__ import annotations

from tests.router.planner.helpers import fetches, plan
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"ALPHA": "alpha", "BETA": "beta", "GAMMA": "gamma"},
    '''
type Query @join__type(graph: ALPHA) @join__type(graph: BETA) @join__type(graph: GAMMA) {
  product: Product @join__field(graph: ALPHA) @join__field(graph: BETA)
  stats: Stats @join__field(graph: ALPHA) @join__field(graph: BETA)
  featured: Product @join__field(graph: ALPHA)
}

type Product @join__type(graph: ALPHA, key: "id") @join__type(graph: BETA, key: "id")
  @join__type(graph: GAMMA, key: "id") {
  id: ID!
  name: String @join__field(graph: ALPHA) @join__field(graph: BETA)
  price: Int @join__field(graph: BETA)
  stock: Int @join__field(graph: GAMMA)
  legacy: String @join__field(graph: ALPHA, usedOverridden: true) @join__field(graph: BETA, override: "alpha")
  color: String @join__field(graph: GAMMA, override: "paint")
  spec: Spec @join__field(graph: ALPHA) @join__field(graph: GAMMA)
}

type Spec @join__type(graph: ALPHA, key: "id") @join__type(graph: BETA, key: "id")
  @join__type(graph: GAMMA, key: "id") {
  id: ID!
  detail: Detail @join__field(graph: BETA) @join__field(graph: GAMMA)
}

type Detail @join__type(graph: BETA, key: "id") @join__type(graph: GAMMA, key: "id") {
  id: ID!
  depth: Int @join__field(graph: GAMMA)
}

type Stats @join__type(graph: ALPHA) @join__type(graph: BETA) {
  views: Int @join__field(graph: ALPHA)
  sales: Int @join__field(graph: BETA)
  total: Int
}
''',
)


def _route(query: str) -> list[tuple[str, str]]:
    return [(f.subgraph, f.operation) for f in fetches(plan(SDL, query).node)]


def test_a_shared_root_field_goes_to_the_graph_serving_the_whole_selection() -> None:
    assert _route("{ product { name price } }") == [("beta", "query { product { name price } }")]


def test_ties_between_graphs_follow_the_supergraph_order() -> None:
    assert _route("{ product { name } }") == [("alpha", "query { product { name } }")]


def test_root_fields_of_one_graph_share_a_fetch() -> None:
    assert _route("{ product { price } stats { sales total } }") == [
        ("beta", "query { product { price } stats { sales total } }")
    ]


def test_a_value_type_is_completed_by_the_only_graph_that_has_its_fields() -> None:
    # Stats has no key: nothing can be added to it later, so `sales` forces beta.
    assert _route("{ stats { sales } }") == [("beta", "query { stats { sales } }")]
    assert _route("{ stats { views } }") == [("alpha", "query { stats { views } }")]


def test_an_overridden_field_is_served_by_the_overriding_graph_only() -> None:
    assert _route("{ product { name legacy } }") == [("beta", "query { product { name legacy } }")]
    [root, entity] = _route("{ featured { name legacy } }")
    assert root == ("alpha", "query { featured { name __typename id } }")
    assert entity[0] == "beta"
    assert entity[1].endswith("{ ... on Product { legacy } } }")


def test_an_override_from_a_removed_graph_is_just_the_new_owner() -> None:
    [root, entity] = _route("{ product { color } }")
    assert root == ("alpha", "query { product { __typename id } }")
    assert entity[0] == "gamma"


def test_a_shareable_field_is_taken_where_its_subtree_needs_fewer_fetches() -> None:
    # detail is served by beta and gamma, but only gamma also has depth: one jump, not two.
    assert _route("{ featured { spec { detail { depth } } } }") == [
        ("alpha", "query { featured { spec { __typename id } } }"),
        (
            "gamma",
            "query($representations: [_Any!]!) { _entities(representations: $representations)"
            " { ... on Spec { detail { depth } } } }",
        ),
    ]
