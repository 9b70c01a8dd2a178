"""Reading the join spec out of a supergraph: graphs, types per graph, keys, fields per graph,
implements / union members / enum values, authorization directives."""

from __future__ import annotations

import pytest

from router.supergraph import AuthRequirement, SubgraphInfo, SupergraphError, load_supergraph
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"ROSTER": "roster", "CLASSES": "classes"},
    '''
directive @authenticated on FIELD_DEFINITION | OBJECT
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT

type Query @join__type(graph: ROSTER) @join__type(graph: CLASSES) {
  coach(id: ID!): Coach @join__field(graph: ROSTER)
  feed: [Activity] @join__field(graph: CLASSES)
  level: Level @join__field(graph: CLASSES)
}

interface Activity @join__type(graph: CLASSES) @join__type(graph: ROSTER, key: "id", isInterfaceObject: true) {
  id: ID!
  label: String @join__field(graph: ROSTER)
}

type Coach implements Activity
  @join__implements(graph: CLASSES, interface: "Activity")
  @join__type(graph: ROSTER, key: "id")
  @join__type(graph: ROSTER, key: "email", resolvable: false)
  @join__type(graph: CLASSES, key: "id", extension: true)
  @authenticated {
  id: ID!
  email: String @join__field(graph: ROSTER) @join__field(graph: CLASSES, external: true)
  rating: Float @join__field(graph: CLASSES, requires: "email")
  salary: Int @join__field(graph: ROSTER) @requiresScopes(scopes: [["hr:read"], ["admin"]])
  classes: [Class] @join__field(graph: CLASSES, provides: "title")
  nickname: String @join__field(graph: ROSTER, usedOverridden: true)
    @join__field(graph: CLASSES, override: "roster")
  age: Int @join__field(graph: ROSTER, type: "Int!") @join__field(graph: CLASSES, type: "Int")
  label: String @join__field
}

type Class @join__type(graph: CLASSES) { title: String }

union Entry @join__type(graph: CLASSES) @join__unionMember(graph: CLASSES, member: "Coach")
  @join__unionMember(graph: CLASSES, member: "Class") = Coach | Class

enum Level @join__type(graph: ROSTER) @join__type(graph: CLASSES) {
  EASY @join__enumValue(graph: ROSTER) @join__enumValue(graph: CLASSES)
  HARD @join__enumValue(graph: CLASSES)
}
''',
)


def test_graphs_come_from_the_join_graph_enum() -> None:
    loaded = load_supergraph(SDL)
    assert dict(loaded.graphs) == {
        "roster": SubgraphInfo("roster", "http://127.0.0.1:1/roster"),
        "classes": SubgraphInfo("classes", "http://127.0.0.1:1/classes"),
    }
    assert loaded.graph_order == ("roster", "classes")
    assert (loaded.query_type, loaded.mutation_type) == ("Query", None)


def test_types_know_their_graphs_keys_and_flags() -> None:
    coach = load_supergraph(SDL).types["Coach"]
    roster, classes = coach.graphs["roster"], coach.graphs["classes"]
    assert [(k.fields, k.resolvable) for k in roster.keys] == [("id", True), ("email", False)]
    assert [k.fields for k in roster.resolvable_keys] == ["id"]
    assert classes.extension and not roster.extension
    activity = load_supergraph(SDL).types["Activity"]
    assert activity.graphs["roster"].is_interface_object
    assert not activity.graphs["classes"].is_interface_object


def test_fields_record_which_graphs_serve_and_know_them() -> None:
    fields = load_supergraph(SDL).types["Coach"].fields
    assert fields["id"].serving == {"roster", "classes"}  # no join__field: every graph of Coach
    assert fields["email"].serving == {"roster"}
    assert fields["email"].known == {"roster", "classes"}
    assert fields["email"].joins["classes"].external
    assert fields["rating"].joins["classes"].requires_text == "email"
    assert fields["classes"].joins["classes"].provides_text == "title"
    assert fields["classes"].list_depth == 1 and fields["classes"].type_name == "Class"
    assert fields["nickname"].serving == {"classes"}
    assert fields["nickname"].joins["classes"].override == "roster"
    assert fields["nickname"].joins["roster"].used_overridden
    assert fields["age"].joins["roster"].type == "Int!"
    assert fields["label"].serving == frozenset()  # only through the interface object


def test_implements_union_members_and_enum_values_per_graph() -> None:
    loaded = load_supergraph(SDL)
    assert loaded.types["Coach"].implements == {"classes": {"Activity"}}
    assert loaded.graph_possible_types("classes", "Activity") == {"Coach"}
    assert loaded.graph_possible_types("roster", "Activity") == frozenset()
    assert loaded.types["Entry"].union_members == {"classes": {"Coach", "Class"}}
    assert loaded.types["Level"].enum_values == {"EASY": {"roster", "classes"}, "HARD": {"classes"}}
    assert loaded.is_interface_object("Activity", "roster")


def test_authorization_directives_are_collected_per_coordinate() -> None:
    auth = load_supergraph(SDL.replace(
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
        '@link(url: "https://specs.apollo.dev/tag/v0.3")\n'
        '  @link(url: "https://specs.apollo.dev/authenticated/v0.1", import: ["@authenticated"], for: SECURITY)\n'
        '  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", import: ["@requiresScopes"], for: SECURITY)',
    )).authorization
    assert auth == {
        "Coach": AuthRequirement(authenticated=True),
        "Coach.salary": AuthRequirement(scopes=(("hr:read",), ("admin",))),
    }


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query { a: Int", "syntax error"),
        ("type Query { a: Int }", "no @link to the join spec"),
        (SDL.replace('ROSTER @join__graph(name: "roster", url: "http://127.0.0.1:1/roster")', "ROSTER"), "unknown join__Graph"),
    ],
)
def test_invalid_supergraphs_are_refused_clearly(sdl: str, message: str) -> None:
    with pytest.raises(SupergraphError, match=message):
        load_supergraph(sdl)
