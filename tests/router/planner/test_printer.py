"""format_plan: the Apollo-like text of every node kind, rewrites included."""

from __future__ import annotations

from router.planner import format_plan
from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FieldSelection,
    FlattenNode,
    InlineFragmentSelection,
    KeyRenamer,
    ParallelNode,
    QueryPlan,
    SequenceNode,
    TypeCondition,
    ValueSetter,
)
from router.planner.printer import format_path
from tests.router.planner.helpers import expected


def test_every_node_kind_prints() -> None:
    entity = FetchNode(
        subgraph="extra",
        operation="query($representations: [_Any!]!) { _entities(representations: $representations) { ... on I { x } } }",
        requires=(InlineFragmentSelection("A", (FieldSelection("__typename"), FieldSelection("id"))),),
        input_rewrites=(ValueSetter(("... on A", "__typename"), "I"),),
        output_rewrites=(KeyRenamer(("... on I", "x__alias_0"), "x"),),
    )
    plan = QueryPlan(
        ConditionNode(
            "go",
            if_clause=SequenceNode(
                (
                    FetchNode(subgraph="main", operation="query { a { __typename id } }"),
                    ParallelNode((FlattenNode(("a", "@", TypeCondition(frozenset({"A"}))), entity),)),
                )
            ),
            else_clause=FetchNode(subgraph="main", operation="query { b }"),
        )
    )
    assert format_plan(plan) == expected(
        """
        QueryPlan {
          Condition(if: $go) {
            Then {
              Sequence {
                Fetch(service: "main") {
                  query { a { __typename id } }
                },
                Parallel {
                  Flatten(path: "a.@|[A]") {
                    Fetch(service: "extra") {
                      { ... on A { __typename id } } =>
                      input ... on A.__typename = 'I'
                      query($representations: [_Any!]!) { _entities(representations: $representations) { ... on I { x } } }
                      output ... on I.x__alias_0 -> 'x'
                    },
                  },
                },
              },
            }
            Else {
              Fetch(service: "main") {
                query { b }
              },
            }
          },
        }
        """
    )


def test_an_empty_plan_and_paths() -> None:
    assert format_plan(QueryPlan(None)) == "QueryPlan {\n}"
    assert format_path(("users", "@", TypeCondition(frozenset({"B", "A"})), "friends", "@")) == (
        "users.@|[A,B].friends.@"
    )
