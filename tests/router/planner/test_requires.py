"""@requires: required fields are fetched first and sent in the representation — with
arguments, with fragments, in chains and in cycles between two subgraphs."""

from __future__ import annotations

from router.planner.printer import format_selections
from tests.router.planner.helpers import expected, fetches, plan, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"ATHLETES": "athletes", "STATS": "stats", "SCORES": "scores"},
    """
type Query @join__type(graph: ATHLETES) @join__type(graph: STATS) @join__type(graph: SCORES) {
  athletes: [Athlete] @join__field(graph: ATHLETES)
}

type Athlete @join__type(graph: ATHLETES, key: "id") @join__type(graph: STATS, key: "id")
  @join__type(graph: SCORES, key: "id") {
  id: ID!
  weight(unit: String = "kg"): Float @join__field(graph: ATHLETES) @join__field(graph: STATS, external: true)
  height: Float @join__field(graph: ATHLETES) @join__field(graph: STATS, external: true)
  bmi: Float @join__field(graph: STATS, requires: "weight(unit: \\"kg\\") height")
  best: Lift @join__field(graph: ATHLETES) @join__field(graph: SCORES, external: true)
  score: Int @join__field(graph: SCORES, requires: "bmi best { ... on Lift { kilos } }")
    @join__field(graph: STATS, external: true)
  rank: Int @join__field(graph: STATS, requires: "score")
}

type Lift @join__type(graph: ATHLETES) @join__type(graph: SCORES) {
  kilos: Int
  reps: Int @join__field(graph: ATHLETES)
}
""",
)

CYCLE = supergraph(
    {"LEFT": "left", "RIGHT": "right"},
    """
type Query @join__type(graph: LEFT) @join__type(graph: RIGHT) {
  session: Session @join__field(graph: LEFT)
}

type Session @join__type(graph: LEFT, key: "id") @join__type(graph: RIGHT, key: "id") {
  id: ID!
  start: Int @join__field(graph: LEFT) @join__field(graph: RIGHT, external: true)
  length: Int @join__field(graph: RIGHT, requires: "start") @join__field(graph: LEFT, external: true)
  end: Int @join__field(graph: LEFT, requires: "length")
}
""",
)


def test_required_fields_with_arguments_are_fetched_before_and_sent() -> None:
    text = plan_text(SDL, "{ athletes { bmi } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "athletes") {
              query { athletes { __typename id weight(unit: "kg") height } }
            },
            Flatten(path: "athletes.@") {
              Fetch(service: "stats") {
                { ... on Athlete { __typename id weight height } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Athlete { bmi } } }
              },
            },
          },
        }
        """
    )


def test_a_chain_of_requires_runs_in_dependency_order() -> None:
    plan_ = plan(SDL, "{ athletes { rank } }")
    order = [(f.subgraph, f.operation.rsplit("{ ... on Athlete ", 1)[-1]) for f in fetches(plan_.node)]
    assert order == [
        ("athletes", 'query { athletes { __typename id weight(unit: "kg") height best { kilos } } }'),
        ("stats", "{ bmi } } }"),
        ("scores", "{ score } } }"),
        ("stats", "{ rank } } }"),
    ]
    scores = fetches(plan_.node)[2]
    assert scores.requires is not None
    assert format_selections(scores.requires) == (
        "{ ... on Athlete { __typename id bmi best { ... on Lift { kilos } } } }"
    )


def test_a_requires_cycle_between_two_subgraphs_is_ordered_not_recursive() -> None:
    text = plan_text(CYCLE, "{ session { end } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "left") {
              query { session { __typename id start } }
            },
            Flatten(path: "session") {
              Fetch(service: "right") {
                { ... on Session { __typename id start } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Session { length } } }
              },
            },
            Flatten(path: "session") {
              Fetch(service: "left") {
                { ... on Session { __typename id length } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Session { end } } }
              },
            },
          },
        }
        """
    )


def test_a_required_field_is_aliased_when_the_client_uses_its_name_with_other_arguments() -> None:
    # The client's `weight` (no argument) and the required `weight(unit: "kg")` must both
    # survive in the merged data: the planner's copy gets an internal alias that the
    # representation reads back under the real name.
    [root, stats] = fetches(plan(SDL, "{ athletes { id weight bmi } }").node)
    assert root.operation == (
        'query { athletes { id weight __typename weight__fg74475: weight(unit: "kg") height } }'
    )
    assert stats.requires is not None
    assert format_selections(stats.requires) == (
        "{ ... on Athlete { __typename id weight__fg74475: weight height } }"
    )


def test_a_nested_required_field_is_aliased_when_the_client_reuses_its_key() -> None:
    # The client calls `reps` "kilos" inside `best`; the required best.kilos must not clash.
    plan_ = plan(SDL, "{ athletes { best { kilos: reps } score } }")
    root, *_, scores = fetches(plan_.node)
    assert "best { kilos: reps kilos__fg0: kilos }" in root.operation
    assert scores.requires is not None
    assert format_selections(scores.requires) == (
        "{ ... on Athlete { __typename id bmi best { ... on Lift { kilos__fg0: kilos } } } }"
    )


CONFLICT = supergraph(
    {"A": "a", "B": "b"},
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: B)
}

type Product @join__type(graph: A, key: "upc") @join__type(graph: B, key: "upc") {
  upc: String!
  weight: Int @join__field(graph: A, external: true) @join__field(graph: B)
  price(currency: String!): Int @join__field(graph: A, external: true) @join__field(graph: B)
  shippingEstimate: Int @join__field(graph: A, requires: "price(currency: \\"USD\\") weight")
  shippingEstimateEUR: Int @join__field(graph: A, requires: "price(currency: \\"EUR\\") weight")
  category: Category @join__field(graph: A, external: true) @join__field(graph: B)
  isExpensiveCategory: Boolean @join__field(graph: A, requires: "category { averagePrice(currency: \\"USD\\") }")
  name: String @join__field(graph: B)
}

type Category @join__type(graph: A) @join__type(graph: B) {
  averagePrice(currency: String!): Int @join__field(graph: A, external: true) @join__field(graph: B)
}
""",
)


def test_requirements_of_one_field_with_conflicting_arguments_go_to_separate_entity_fetches() -> None:
    # Both values are fetched side by side (the EUR one under an internal alias, never renamed
    # back over the USD one); each entity fetch sends its own value as `price`.
    text = plan_text(
        CONFLICT, "{ products { upc name shippingEstimate shippingEstimateEUR isExpensiveCategory } }"
    )
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              query { products { upc name __typename price(currency: "USD") weight price__fg21528: price(currency: "EUR") category { averagePrice(currency: "USD") } } }
            },
            Parallel {
              Flatten(path: "products.@") {
                Fetch(service: "a") {
                  { ... on Product { __typename upc price weight category { averagePrice } } } =>
                  query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { shippingEstimate isExpensiveCategory } } }
                },
              },
              Flatten(path: "products.@") {
                Fetch(service: "a") {
                  { ... on Product { __typename upc price__fg21528: price weight } } =>
                  query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { shippingEstimateEUR } } }
                },
              },
            },
          },
        }
        """
    )


def test_requirements_with_equal_arguments_still_share_one_entity_fetch() -> None:
    [_, entity] = fetches(plan(CONFLICT, "{ products { shippingEstimate isExpensiveCategory } }").node)
    assert "shippingEstimate isExpensiveCategory" in entity.operation
    [root, eur] = fetches(plan(CONFLICT, "{ products { shippingEstimateEUR } }").node)
    # alone, the EUR requirement needs no alias
    assert 'price(currency: "EUR")' in root.operation and "__fg" not in root.operation
    assert eur.requires is not None
    assert format_selections(eur.requires) == "{ ... on Product { __typename upc price weight } }"
