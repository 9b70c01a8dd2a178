"""Entity jumps through keys: simple, several keys, compound / nested keys, non-resolvable keys,
and keys whose fields come from more than one subgraph."""

from __future__ import annotations

import pytest

from router.planner import PlanningError
from router.planner.printer import format_selections
from tests.router.planner.helpers import expected, fetches, plan, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"MEMBERS": "members", "WORKOUTS": "workouts", "GYMS": "gyms", "BILLING": "billing"},
    '''
type Query @join__type(graph: MEMBERS) @join__type(graph: WORKOUTS) @join__type(graph: GYMS)
  @join__type(graph: BILLING) {
  member(id: ID!): Member @join__field(graph: MEMBERS)
  workouts: [Workout!]! @join__field(graph: WORKOUTS)
  gyms: [Gym] @join__field(graph: GYMS)
}

type Member
  @join__type(graph: MEMBERS, key: "id")
  @join__type(graph: MEMBERS, key: "email")
  @join__type(graph: WORKOUTS, key: "id")
  @join__type(graph: BILLING, key: "email")
  @join__type(graph: GYMS, key: "id", resolvable: false) {
  id: ID! @join__field(graph: MEMBERS) @join__field(graph: WORKOUTS) @join__field(graph: GYMS)
  email: String! @join__field(graph: MEMBERS) @join__field(graph: BILLING)
  name: String @join__field(graph: MEMBERS)
  workouts: [Workout!]! @join__field(graph: WORKOUTS)
  plan: String @join__field(graph: BILLING)
}

type Workout @join__type(graph: WORKOUTS, key: "id") {
  id: ID!
  title: String!
  coach: Member
}

type Gym
  @join__type(graph: GYMS, key: "code region { id }")
  @join__type(graph: BILLING, key: "code region { id }") {
  code: String! @join__field(graph: GYMS) @join__field(graph: BILLING)
  region: Region! @join__field(graph: GYMS) @join__field(graph: BILLING)
  owner: Member @join__field(graph: GYMS)
  fee: Int @join__field(graph: BILLING)
}

type Region @join__type(graph: GYMS) @join__type(graph: BILLING) {
  id: ID!
  name: String @join__field(graph: GYMS)
}
''',
)


def test_a_field_of_another_graph_is_fetched_through_the_entity_key() -> None:
    text = plan_text(SDL, '{ member(id: "1") { name workouts { title } } }')
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "members") {
              query { member(id: "1") { name __typename id } }
            },
            Flatten(path: "member") {
              Fetch(service: "workouts") {
                { ... on Member { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Member { workouts { title } } } }
              },
            },
          },
        }
        """
    )


def test_the_key_the_target_graph_resolves_is_chosen_among_several() -> None:
    # billing only resolves Member by email; members can produce both keys.
    [root, entity] = fetches(plan(SDL, '{ member(id: "1") { plan } }').node)
    assert root.operation == 'query { member(id: "1") { __typename email } }'
    assert entity.subgraph == "billing"
    assert entity.operation.endswith("{ ... on Member { plan } } }")


def test_keys_are_collected_through_an_intermediate_graph() -> None:
    # workouts only knows Member.id; billing resolves by email, which members must provide first.
    text = plan_text(SDL, "{ workouts { coach { plan } } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "workouts") {
              query { workouts { coach { __typename id } } }
            },
            Flatten(path: "workouts.@.coach") {
              Fetch(service: "members") {
                { ... on Member { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Member { email } } }
              },
            },
            Flatten(path: "workouts.@.coach") {
              Fetch(service: "billing") {
                { ... on Member { __typename email } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Member { plan } } }
              },
            },
          },
        }
        """
    )


def test_compound_and_nested_keys_are_selected_and_sent_whole() -> None:
    [root, entity] = fetches(plan(SDL, "{ gyms { fee } }").node)
    assert root.operation == "query { gyms { __typename code region { id } } }"
    assert entity.requires is not None
    assert format_selections(entity.requires) == "{ ... on Gym { __typename code region { id } } }"


def test_a_non_resolvable_key_is_never_a_jump_target() -> None:
    # gyms references Member (resolvable: false): Member.name must come from members.
    text = plan_text(SDL, "{ gyms { owner { id name } } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "gyms") {
              query { gyms { owner { id __typename } } }
            },
            Flatten(path: "gyms.@.owner") {
              Fetch(service: "members") {
                { ... on Member { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Member { name } } }
              },
            },
          },
        }
        """
    )


EXTENSION = supergraph(
    {"ORDERS": "orders", "SHOP": "shop"},
    '''
type Query @join__type(graph: ORDERS) @join__type(graph: SHOP) {
  lastOrder: Order @join__field(graph: ORDERS)
}

type Order @join__type(graph: ORDERS, key: "id") {
  id: ID!
  buyer: Buyer
}

type Buyer @join__type(graph: ORDERS, key: "id", extension: true) @join__type(graph: SHOP, key: "id") {
  id: ID! @join__field(graph: ORDERS, external: true) @join__field(graph: SHOP)
  name: String @join__field(graph: ORDERS, external: true) @join__field(graph: SHOP)
  orders: Int @join__field(graph: ORDERS)
}
''',
)


def test_an_entity_extension_returns_its_external_key_fields_itself() -> None:
    # `extend type Buyer @key(fields: "id") { id: ID! @external }`: orders still returns id.
    [root, entity] = fetches(plan(EXTENSION, "{ lastOrder { buyer { id orders name } } }").node)
    assert root.operation == "query { lastOrder { buyer { id orders __typename } } }"
    assert entity.subgraph == "shop"
    assert entity.operation.endswith("{ ... on Buyer { name } } }")


CYCLIC_KEYS = supergraph(
    {"XS": "xs", "YS": "ys", "ZS": "zs"},
    '''
type Query @join__type(graph: XS) @join__type(graph: YS) @join__type(graph: ZS) {
  thing: Thing @join__field(graph: ZS)
}

type Thing @join__type(graph: XS, key: "a") @join__type(graph: YS, key: "b")
  @join__type(graph: ZS, key: "c", resolvable: false) {
  a: ID @join__field(graph: YS)
  b: ID @join__field(graph: XS)
  c: ID @join__field(graph: ZS)
  d: Int @join__field(graph: XS)
}
''',
)


def test_keys_that_only_each_other_can_provide_are_a_planning_error() -> None:
    # xs needs `a` (only ys has it), ys needs `b` (only xs has it): no way in from zs.
    with pytest.raises(PlanningError, match="selection of thing"):
        plan(CYCLIC_KEYS, "{ thing { d } }")
