"""@skip / @include on fields that need other subgraphs: the fetches created only for such a
field (including the ones its @requires needs) run under a Condition node; fetches that other
fields need as well stay unconditional. The directives also stay in the subgraph operations."""

from __future__ import annotations

from router.planner.nodes import ConditionNode, SequenceNode
from tests.router.planner.helpers import expected, fetches, plan, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"SHOP": "shop", "RATING": "rating", "BADGES": "badges"},
    '''
type Query @join__type(graph: SHOP) @join__type(graph: RATING) @join__type(graph: BADGES) {
  item: Item @join__field(graph: SHOP)
}

type Item @join__type(graph: SHOP, key: "id") @join__type(graph: RATING, key: "id")
  @join__type(graph: BADGES, key: "id") {
  id: ID!
  price: Float @join__field(graph: SHOP) @join__field(graph: RATING, external: true)
  premium: Boolean @join__field(graph: RATING, requires: "price") @join__field(graph: BADGES, external: true)
  badge: String @join__field(graph: BADGES, requires: "premium")
  stars: Int @join__field(graph: RATING)
}
''',
)


def test_a_conditional_field_with_requires_guards_its_whole_chain() -> None:
    text = plan_text(SDL, "query ($on: Boolean = false) { item { price badge @include(if: $on) } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "shop") {
              query { item { price __typename id } }
            },
            Condition(if: $on) {
              Then {
                Flatten(path: "item") {
                  Fetch(service: "rating") {
                    { ... on Item { __typename id price } } =>
                    query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Item { premium } } }
                  },
                },
              }
            },
            Condition(if: $on) {
              Then {
                Flatten(path: "item") {
                  Fetch(service: "badges") {
                    { ... on Item { __typename id premium } } =>
                    query($representations: [_Any!]!, $on: Boolean = false) { _entities(representations: $representations) { ... on Item { badge @include(if: $on) } } }
                  },
                },
              }
            },
          },
        }
        """
    )


def test_skip_runs_the_guarded_fetch_in_the_else_branch() -> None:
    result = plan(SDL, "query ($off: Boolean!) { item { stars @skip(if: $off) } }")
    assert isinstance(result.node, SequenceNode)
    guard = result.node.nodes[1]
    assert isinstance(guard, ConditionNode)
    assert (guard.condition, guard.if_clause) == ("off", None)
    assert [f.subgraph for f in fetches(guard.else_clause)] == ["rating"]


def test_a_fetch_also_needed_unconditionally_is_not_guarded() -> None:
    # `premium` (unconditional) and `stars @include` share the rating fetch: it always runs.
    result = plan(SDL, "query ($on: Boolean!) { item { premium stars @include(if: $on) } }")
    assert isinstance(result.node, SequenceNode)
    rating = result.node.nodes[1]
    assert not isinstance(rating, ConditionNode)
    [fetch] = fetches(rating)
    assert fetch.operation.endswith("{ ... on Item { premium stars @include(if: $on) } } }")


def test_literal_conditions_are_left_to_the_subgraph() -> None:
    result = plan(SDL, "{ item { stars @include(if: false) } }")
    assert isinstance(result.node, SequenceNode)
    assert not isinstance(result.node.nodes[1], ConditionNode)
