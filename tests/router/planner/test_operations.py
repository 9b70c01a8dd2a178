"""Operation features: named fragments, aliases, variables with defaults, @skip/@include passed
into the fetches that need them (and guarding, as Condition nodes, the fetches only they need), root `__typename` / introspection answered locally, and the
choice of operation by name."""

from __future__ import annotations

import pytest
from graphql import parse

from router.planner import PlanningError
from tests.router.planner.helpers import expected, fetches, plan, plan_text, planner_for
from tests.router.planner.test_keys import SDL

QUERY = """
query Q($id: ID! = "7", $withWorkouts: Boolean = true, $skipName: Boolean!) {
  __typename
  m: member(id: $id) { ...M n2: name @skip(if: $skipName) }
}
fragment M on Member {
  name
  workouts @include(if: $withWorkouts) { title }
  ... on Member @include(if: $withWorkouts) { plan }
}
"""


def test_fragments_aliases_variables_and_conditions_reach_the_right_fetches() -> None:
    assert plan_text(SDL, QUERY, "Q") == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "members") {
              query Q__members__0($id: ID! = "7", $skipName: Boolean!) { m: member(id: $id) { name __typename id email n2: name @skip(if: $skipName) } }
            },
            Parallel {
              Condition(if: $withWorkouts) {
                Then {
                  Flatten(path: "m") {
                    Fetch(service: "workouts") {
                      { ... on Member { __typename id } } =>
                      query Q__workouts__1($representations: [_Any!]!, $withWorkouts: Boolean = true) { _entities(representations: $representations) { ... on Member { workouts @include(if: $withWorkouts) { title } } } }
                    },
                  },
                }
              },
              Condition(if: $withWorkouts) {
                Then {
                  Flatten(path: "m") {
                    Fetch(service: "billing") {
                      { ... on Member { __typename email } } =>
                      query Q__billing__2($representations: [_Any!]!, $withWorkouts: Boolean = true) { _entities(representations: $representations) { ... on Member { ... @include(if: $withWorkouts) { plan } } } }
                    },
                  },
                }
              },
            },
          },
        }
        """
    )
    assert plan(SDL, QUERY, "Q").local_fields == ("__typename",)


def test_variables_are_declared_only_where_used() -> None:
    usages = [f.variable_usages for f in fetches(plan(SDL, QUERY, "Q").node)]
    assert usages == [("id", "skipName"), ("withWorkouts",), ("withWorkouts",)]


def test_introspection_and_root_typename_need_no_fetch() -> None:
    result = plan(SDL, "{ __schema { queryType { name } } __typename }")
    assert result.node is None
    assert result.local_fields == ("__schema", "__typename")


def test_the_operation_is_chosen_by_name() -> None:
    document = "query A { gyms { code } } query B { workouts { id } }"
    assert plan_text(SDL, document, "B") == expected(
        """
        QueryPlan {
          Fetch(service: "workouts") {
            query B__workouts__0 { workouts { id } }
          },
        }
        """
    )
    _, planner = planner_for(SDL)
    with pytest.raises(PlanningError, match="operation name is required"):
        planner.plan(parse(document), None)
    with pytest.raises(PlanningError, match="unknown operation"):
        planner.plan(parse(document), "C")


def test_planning_is_deterministic_and_uses_no_shared_state() -> None:
    _, planner = planner_for(SDL)
    document = parse(QUERY)
    assert planner.plan(document, "Q") == planner.plan(document, "Q")


def test_a_fragment_spread_twice_in_one_selection_is_collected_once() -> None:
    # GraphQL spec §6.3.2 (visitedFragments): each level spreads the next one twice, so
    # inlining every spread would select 2**30 fields; collected once each, the plan stays small.
    levels = ["fragment F30 on Member { name }"]
    levels += [f"fragment F{level} on Member {{ id ...F{level + 1} ...F{level + 1} }}" for level in range(29, -1, -1)]
    query = '{ member(id: "1") { ...F0 } } ' + " ".join(levels)
    assert plan_text(SDL, query) == expected(
        """
        QueryPlan {
          Fetch(service: "members") {
            query { member(id: "1") { id name } }
          },
        }
        """
    )


def test_a_fragment_under_different_type_conditions_is_kept_for_each() -> None:
    query = """
    { gyms { ... on Gym { ...G } owner { ...M ...M } } }
    fragment G on Gym { code }
    fragment M on Member { name email }
    """
    assert plan_text(SDL, query) == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "gyms") {
              query { gyms { code owner { __typename id } } }
            },
            Flatten(path: "gyms.@.owner") {
              Fetch(service: "members") {
                { ... on Member { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Member { name email } } }
              },
            },
          },
        }
        """
    )
