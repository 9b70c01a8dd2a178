"""Subgraph operations stay valid when the client's fields merge only in the supergraph:
fields that differ in a subgraph (type, arguments) under sibling type conditions get internal
aliases, and KeyRenamer output rewrites restore the client's keys."""

from __future__ import annotations

from router.planner.nodes import KeyRenamer
from tests.router.planner.helpers import fetches, plan
from tests.router.supergraph.sdl import supergraph

SDL = supergraph({"A":"a","B":"b"}, '''
type Query @join__type(graph: A) @join__type(graph: B) {
  users: [User] @join__field(graph: A)
  accounts: [Account] @join__field(graph: B)
}
union Account @join__type(graph: B) @join__unionMember(graph: B, member: "User") @join__unionMember(graph: B, member: "Admin") = User | Admin
type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID @join__field(graph: A, type: "ID!") @join__field(graph: B, type: "ID")
  name: String
  similarAccounts: [Account!]! @join__field(graph: B)
}
type Admin @join__type(graph: B) {
  id: ID @join__field(graph: B, type: "ID!")
  name: String @join__field(graph: B)
  similarAccounts: [Account!]! @join__field(graph: B)
}
''')


def test_same_key_with_different_subgraph_types_is_aliased_and_renamed_back() -> None:
    query = """
    {
      accounts {
        ... on User { id name similarAccounts { ... on User { id } ... on Admin { id } } }
        ... on Admin { id name similarAccounts { ... on User { id } ... on Admin { id } } }
      }
    }
    """
    [only] = fetches(plan(SDL, query).node)
    assert only.operation == (
        "query { accounts { __typename"
        " ... on Admin { id name similarAccounts { __typename ... on Admin { id } ... on User { id__alias_0: id } } }"
        " ... on User { id__alias_0: id name similarAccounts { __typename ... on Admin { id } ... on User { id__alias_1: id } } } } }"
    )
    assert set(only.output_rewrites) == {
        KeyRenamer(("accounts", "... on User", "id__alias_0"), "id"),
        KeyRenamer(("accounts", "... on Admin", "similarAccounts", "... on User", "id__alias_0"), "id"),
        KeyRenamer(("accounts", "... on User", "similarAccounts", "... on User", "id__alias_1"), "id"),
    }


def test_fields_that_agree_in_the_subgraph_are_not_aliased() -> None:
    [only] = fetches(plan(SDL, "{ accounts { ... on User { name } ... on Admin { name } } }").node)
    assert only.output_rewrites == ()
    assert "alias" not in only.operation


NARROWED = supergraph(
    {"SHELF": "shelf", "CINEMA": "cinema"},
    """
type Query @join__type(graph: SHELF) @join__type(graph: CINEMA) {
  pick: Media @join__field(graph: SHELF, type: "Book") @join__field(graph: CINEMA)
  novel: Media @join__field(graph: SHELF, type: "Book!")
}
interface Media @join__type(graph: SHELF) @join__type(graph: CINEMA) { title: String }
type Book implements Media @join__implements(graph: SHELF, interface: "Media") @join__type(graph: SHELF) {
  title: String
  pages: Int
}
type Film implements Media @join__implements(graph: CINEMA, interface: "Media") @join__type(graph: CINEMA) {
  title: String
  minutes: Int
}
""",
)


def test_a_field_narrowed_to_an_object_type_in_one_graph_is_planned_on_that_type() -> None:
    # shelf declares `novel: Book!`: the selection is planned on Book, fragments on Film vanish.
    [only] = fetches(plan(NARROWED, "{ novel { title ... on Film { minutes } ... on Book { pages } } }").node)
    assert only.operation == "query { novel { __typename title pages } }"
