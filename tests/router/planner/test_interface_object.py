"""@interfaceObject: fields an interface object adds to every implementation, the concrete
`__typename` learned from the graph that owns the real interface, and @requires on it."""

from __future__ import annotations

from router.planner.nodes import ValueSetter
from tests.router.planner.helpers import expected, fetches, plan, plan_text
from tests.router.supergraph.sdl import supergraph

IO = supergraph({"ACCOUNTS": "accounts", "EXTRA": "extra"}, '''
type Query @join__type(graph: ACCOUNTS) @join__type(graph: EXTRA) {
  users: [User] @join__field(graph: ACCOUNTS)
  vip: [Account] @join__field(graph: EXTRA)
  everyone: [Account] @join__field(graph: ACCOUNTS)
}
interface Account @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: EXTRA, key: "id", isInterfaceObject: true) {
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  tier: Int @join__field(graph: EXTRA)
  perks: [String] @join__field(graph: EXTRA, requires: "name")
  badge: Int @join__field(graph: EXTRA, requires: "perks")
}
type User implements Account @join__implements(graph: ACCOUNTS, interface: "Account") @join__type(graph: ACCOUNTS, key: "id") {
  id: ID!
  name: String
  email: String
  tier: Int @join__field
  perks: [String] @join__field
  badge: Int @join__field
}
type Admin implements Account @join__implements(graph: ACCOUNTS, interface: "Account") @join__type(graph: ACCOUNTS, key: "id") {
  id: ID!
  name: String
  level: Int
  tier: Int @join__field
  perks: [String] @join__field
  badge: Int @join__field
}
''')


def test_a_field_of_an_interface_object_is_fetched_with_the_interface_typename() -> None:
    text = plan_text(IO, "{ users { email tier } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              query { users { email __typename id } }
            },
            Flatten(path: "users.@") {
              Fetch(service: "extra") {
                { ... on User { __typename id } } =>
                input ... on User.__typename = 'Account'
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Account { tier } } }
              },
            },
          },
        }
        """
    )
    entity = fetches(plan(IO, "{ users { tier } }").node)[1]
    assert entity.input_rewrites == (ValueSetter(("... on User", "__typename"), "Account"),)


def test_fields_local_to_the_interface_object_need_no_other_graph() -> None:
    assert [f.subgraph for f in fetches(plan(IO, "{ vip { id tier } }").node)] == ["extra"]


def test_the_concrete_type_and_requires_come_from_the_real_interface_graph() -> None:
    text = plan_text(IO, "{ vip { __typename tier ... on User { email } perks } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "extra") {
              query { vip { __typename tier id } }
            },
            Flatten(path: "vip.@") {
              Fetch(service: "accounts") {
                { ... on Account { __typename id } ... on Admin { __typename id } ... on User { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Account { name __typename ... on User { email } } } }
              },
            },
            Flatten(path: "vip.@") {
              Fetch(service: "extra") {
                { ... on Account { __typename id name } ... on Admin { __typename id name } ... on User { __typename id name } } =>
                input ... on Admin.__typename = 'Account'
                input ... on User.__typename = 'Account'
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Account { perks } } }
              },
            },
          },
        }
        """
    )


def test_every_implementation_reaches_the_interface_object_in_one_fetch() -> None:
    text = plan_text(IO, "{ everyone { name tier } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              query { everyone { __typename ... on Admin { name id } ... on User { name id } } }
            },
            Flatten(path: "everyone.@|[Admin,User]") {
              Fetch(service: "extra") {
                { ... on Admin { __typename id } ... on User { __typename id } } =>
                input ... on Admin.__typename = 'Account'
                input ... on User.__typename = 'Account'
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Account { tier } } }
              },
            },
          },
        }
        """
    )


def test_a_requires_chain_inside_the_interface_object_graph() -> None:
    text = plan_text(IO, "{ users { badge } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              query { users { __typename id name } }
            },
            Flatten(path: "users.@") {
              Fetch(service: "extra") {
                { ... on User { __typename id name } } =>
                input ... on User.__typename = 'Account'
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Account { perks } } }
              },
            },
            Flatten(path: "users.@") {
              Fetch(service: "extra") {
                { ... on User { __typename id perks } } =>
                input ... on User.__typename = 'Account'
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Account { badge } } }
              },
            },
          },
        }
        """
    )
