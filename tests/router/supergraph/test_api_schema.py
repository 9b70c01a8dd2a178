"""The API schema clients see: no join/link machinery, nothing @inaccessible, no @tag, renamed
imports understood, unknown security/execution features refused."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLUnionType, print_schema

from router.supergraph import SupergraphError, load_supergraph
from tests.router.supergraph.sdl import supergraph

BODY = '''
directive @custom(level: Int) on FIELD_DEFINITION

type Query @join__type(graph: GYM) {
  machines(kind: Kind, secret: Boolean @inaccessible): [Machine] @tag(name: "public")
  internal: String @inaccessible
  pick: Pick
}

type Machine @join__type(graph: GYM, key: "id") @tag(name: "entity") {
  id: ID!
  name: String @custom(level: 2)
  serial: String @inaccessible
}

type Hidden @inaccessible @join__type(graph: GYM) { x: Int }

union Pick @join__type(graph: GYM) @join__unionMember(graph: GYM, member: "Machine")
  @join__unionMember(graph: GYM, member: "Hidden") = Machine | Hidden

enum Kind @join__type(graph: GYM) {
  CARDIO @join__enumValue(graph: GYM)
  LEGACY @join__enumValue(graph: GYM) @inaccessible
}
'''


def _api(sdl: str) -> str:
    return print_schema(load_supergraph(sdl).api_schema)


def test_the_api_schema_has_no_federation_machinery_and_no_inaccessible_elements() -> None:
    schema = load_supergraph(supergraph({"GYM": "gym"}, BODY)).api_schema
    printed = print_schema(schema)
    for hidden in ("join__", "link__", "@link", "@tag", "@inaccessible", "internal", "serial", "secret",
                   "Hidden", "LEGACY"):
        assert hidden not in printed, hidden
    assert set(schema.type_map) >= {"Query", "Machine", "Pick", "Kind"}
    query = schema.query_type
    assert query is not None and set(query.fields) == {"machines", "pick"}
    assert set(query.fields["machines"].args) == {"kind"}
    pick = schema.type_map["Pick"]
    assert isinstance(pick, GraphQLUnionType) and [t.name for t in pick.types] == ["Machine"]
    kind = schema.type_map["Kind"]
    assert isinstance(kind, GraphQLEnumType) and list(kind.values) == ["CARDIO"]
    # composed custom directives stay
    assert "directive @custom(level: Int) on FIELD_DEFINITION" in printed
    machine = schema.type_map["Machine"]
    assert isinstance(machine, GraphQLObjectType) and set(machine.fields) == {"id", "name"}


def test_renamed_imports_and_namespaces_are_understood() -> None:
    sdl = supergraph({"GYM": "gym"}, BODY.replace("@inaccessible", "@hidden").replace("@tag(", "@label("))
    sdl = sdl.replace(
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", import: [{name: "@inaccessible", as: "@hidden"}], for: SECURITY)',
    ).replace(
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
        '@link(url: "https://specs.apollo.dev/tag/v0.3", as: "label")',
    ).replace("directive @inaccessible on", "directive @hidden on").replace("directive @tag(", "directive @label(")
    printed = _api(sdl)
    for hidden in ("internal", "serial", "secret", "Hidden", "LEGACY", "@label", "@hidden"):
        assert hidden not in printed, hidden


def test_a_renamed_join_namespace_is_read() -> None:
    sdl = supergraph({"GYM": "gym"}, BODY).replace("join__", "j__").replace(
        '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
        '@link(url: "https://specs.apollo.dev/join/v0.3", as: "j", for: EXECUTION)',
    )
    loaded = load_supergraph(sdl)
    assert [k.fields for k in loaded.types["Machine"].graphs["gym"].keys] == ["id"]
    assert "j__" not in print_schema(loaded.api_schema)


@pytest.mark.parametrize(
    ("url", "purpose"),
    [
        ("https://example.com/sealed/v1.0", "SECURITY"),
        ("https://example.com/sealed/v1.0", "EXECUTION"),
        ("https://specs.apollo.dev/context/v0.1", "SECURITY"),  # @fromContext: not implemented
    ],
)
def test_unknown_security_or_execution_features_are_refused(url: str, purpose: str) -> None:
    sdl = supergraph({"GYM": "gym"}, BODY).replace(
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
        f'@link(url: "https://specs.apollo.dev/tag/v0.3")\n  @link(url: "{url}", for: {purpose})',
    )
    with pytest.raises(SupergraphError, match=f"{url} \\(for: {purpose}\\)"):
        load_supergraph(sdl)


def test_unknown_metadata_features_are_accepted() -> None:
    sdl = supergraph({"GYM": "gym"}, BODY).replace(
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
        '@link(url: "https://specs.apollo.dev/tag/v0.3")\n  @link(url: "https://example.com/notes/v1.0")',
    )
    assert "machines" in _api(sdl)
