"""The API schema of a supergraph: join/link machinery and @inaccessible elements removed."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLUnionType

from schema.api_schema import api_schema, api_schema_sdl, normalized_sdl
from schema.compose import SubgraphInput, compose

_SDL = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@inaccessible", "@tag"])\n'
    """
interface Node { id: ID! }
type Cat implements Node @key(fields: "id") { id: ID! name: String @deprecated(reason: "use title") title: String }
type Ghost implements Node @inaccessible { id: ID! }
union Pet = Cat | Ghost
enum Mood { HAPPY GRUMPY @inaccessible }
scalar Url @specifiedBy(url: "https://url.spec.whatwg.org/")
type Query {
  pets(mood: Mood, debug: Boolean @inaccessible): [Pet!]! @tag(name: "public")
  home: Url
  ghosts: Int @inaccessible
}
"""
)


def _supergraph() -> str:
    return compose([SubgraphInput("pets", "http://pets/graphql", _SDL)]).unwrap()


def test_inaccessible_elements_disappear_everywhere() -> None:
    schema = api_schema(_supergraph())

    assert schema.get_type("Ghost") is None
    pet = schema.get_type("Pet")
    assert isinstance(pet, GraphQLUnionType) and [t.name for t in pet.types] == ["Cat"]
    mood = schema.get_type("Mood")
    assert isinstance(mood, GraphQLEnumType) and list(mood.values) == ["HAPPY"]
    query = schema.query_type
    assert query is not None and list(query.fields) == ["pets", "home"]
    assert list(query.fields["pets"].args) == ["mood"]


def test_join_link_and_feature_machinery_is_gone_but_builtins_stay() -> None:
    sdl = api_schema_sdl(_supergraph())

    for machinery in ("join__", "link__", "@link", "@tag", "@inaccessible", "schema {"):
        assert machinery not in sdl
    assert '@deprecated(reason: "use title")' in sdl
    assert '@specifiedBy(url: "https://url.spec.whatwg.org/")' in sdl
    cat = api_schema(_supergraph()).get_type("Cat")
    assert isinstance(cat, GraphQLObjectType) and [i.name for i in cat.interfaces] == ["Node"]


def test_renamed_inaccessible_is_honoured() -> None:
    supergraph = (
        'schema @link(url: "https://specs.apollo.dev/link/v1.0") '
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", as: "hidden", for: SECURITY) '
        "{ query: Query }\n"
        "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA\n"
        "directive @hidden on FIELD_DEFINITION\n"
        "scalar link__Import\nenum link__Purpose { SECURITY EXECUTION }\n"
        "type Query { a: Int b: Int @hidden }\n"
    )

    assert normalized_sdl(api_schema_sdl(supergraph)) == "type Query {\n  a: Int\n}"


def test_normalized_sdl_ignores_order() -> None:
    assert normalized_sdl("type Query { b: Int a: String }\nenum E { Y X }") == normalized_sdl(
        "enum E { X Y }\ntype Query { a: String b: Int }"
    )


def test_inaccessible_imported_under_another_name_is_honoured() -> None:
    supergraph = (
        'schema @link(url: "https://specs.apollo.dev/link/v1.0") '
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY, '
        'import: [{name: "@inaccessible", as: "@internal"}]) { query: Query }\n'
        "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA\n"
        "directive @internal on FIELD_DEFINITION\n"
        "scalar link__Import\nenum link__Purpose { SECURITY EXECUTION }\n"
        "type Query { a: Int b: Int @internal }\n"
    )

    assert normalized_sdl(api_schema_sdl(supergraph)) == "type Query {\n  a: Int\n}"
