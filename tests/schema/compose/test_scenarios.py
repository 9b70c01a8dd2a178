"""Composition scenarios: the supergraph records where every element lives (join v0.3) and
loads in graphql-core; its API schema is what clients should see."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, build_ast_schema, parse

from schema.api_schema import api_schema, api_schema_sdl
from schema.compose import SubgraphInput, compose
from schema.compose.merge import graph_enum_values
from tests.schema.compose.scenarios import SCENARIOS
from tests.schema.compose.support import composed_directives_at, directives_at, fed2


def _compose(name: str) -> str:
    result = compose(SCENARIOS[name])
    assert result.errors == [], [str(e) for e in result.errors]
    return result.unwrap()


@pytest.mark.parametrize("name", SCENARIOS)
def test_supergraph_loads_in_graphql_core_with_standard_header(name: str) -> None:
    sdl = _compose(name)
    schema = build_ast_schema(parse(sdl))

    assert sdl.startswith(
        "schema\n"
        '  @link(url: "https://specs.apollo.dev/link/v1.0")\n'
        '  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
    )
    graph_enum = schema.get_type("join__Graph")
    assert isinstance(graph_enum, GraphQLEnumType)
    assert len(graph_enum.values) == len(SCENARIOS[name])
    for directive in ("join__type", "join__field", "join__graph", "join__implements", "join__unionMember"):
        assert schema.get_directive(directive) is not None


def test_entities_across_three_subgraphs() -> None:
    at = directives_at(_compose("entities_across_three"))

    assert at["User"] == [
        '@join__type(graph: ACCOUNTS, key: "id")',
        '@join__type(graph: REVIEWS, key: "id", resolvable: false)',
        '@join__type(graph: WORKOUTS, key: "id")',
    ]
    assert at["User.id"] == []
    assert at["User.name"] == [
        "@join__field(graph: ACCOUNTS)",
        "@join__field(graph: WORKOUTS, external: true)",
    ]
    assert at["User.greeting"] == ['@join__field(graph: WORKOUTS, requires: "name")']
    assert at["Workout.author"] == ['@join__field(graph: WORKOUTS, provides: "name")']
    assert at["Workout.reviews"] == ["@join__field(graph: REVIEWS)"]
    assert at["Review"] == ["@join__type(graph: REVIEWS)"]
    assert at["Query"] == [
        "@join__type(graph: ACCOUNTS)",
        "@join__type(graph: REVIEWS)",
        "@join__type(graph: WORKOUTS)",
    ]
    assert at["Query.workout"] == ["@join__field(graph: WORKOUTS)"]


def test_descriptions_and_arguments_reach_the_api_schema() -> None:
    sdl = _compose("entities_across_three")
    user = api_schema(sdl).get_type("User")

    assert isinstance(user, GraphQLObjectType) and user.description == "A registered member."
    assert user.fields["name"].description == "Display name"
    assert "  workouts(limit: Int = 20): [Workout!]!\n" in api_schema_sdl(sdl)


def test_interfaces_and_unions_record_graph_membership() -> None:
    at = directives_at(_compose("interfaces_and_unions"))

    assert at["Run"] == [
        '@join__implements(graph: CATALOG, interface: "Activity")',
        '@join__type(graph: CATALOG, key: "id")',
        '@join__type(graph: STATS, key: "id")',
    ]
    assert at["Burner"] == [
        "@join__type(graph: STATS)",
        '@join__unionMember(graph: STATS, member: "Run")',
        '@join__unionMember(graph: STATS, member: "Swim")',
        '@join__unionMember(graph: STATS, member: "Ride")',
    ]
    assert at["Activity"] == ["@join__type(graph: CATALOG)"]
    assert at["Run.calories"] == ["@join__field(graph: STATS)"]


def test_enum_and_input_merge_rules() -> None:
    sdl = _compose("enums_inputs_shareable")
    schema = api_schema(sdl)
    at = directives_at(sdl)

    def values(name: str) -> list[str]:
        enum = schema.get_type(name)
        assert isinstance(enum, GraphQLEnumType)
        return list(enum.values)

    assert values("Level") == ["BEGINNER", "ADVANCED"]  # input only: intersection
    assert values("Sort") == ["NEWEST"]
    assert values("Visibility") == ["PUBLIC", "UNLISTED", "PRIVATE"]  # output only: union
    assert at["Visibility.UNLISTED"] == ["@join__enumValue(graph: COACHING)"]
    assert at["Visibility.PUBLIC"] == ["@join__enumValue(graph: COACHING)", "@join__enumValue(graph: PLANS)"]
    plan_filter = schema.get_type("PlanFilter")
    assert isinstance(plan_filter, GraphQLInputObjectType)
    assert list(plan_filter.fields) == ["level", "limit"]  # input objects: intersection
    assert "  limit: Int = 10\n" in api_schema_sdl(sdl)
    assert at["Money"] == ["@join__type(graph: COACHING)", "@join__type(graph: PLANS)"]
    assert at["Money.amount"] == []  # shareable value type served by both
    assert at["Plan.visibility"] == []


def test_override_and_differing_nullability() -> None:
    result = compose(SCENARIOS["override_and_types"])
    at = directives_at(result.unwrap())

    assert at["Member.points"] == ['@join__field(graph: LOYALTY, override: "legacy")']
    assert at["Member.tier"] == ["@join__field(graph: LEGACY)"]
    assert at["Member.nickname"] == [
        '@join__field(graph: LEGACY, type: "String")',
        '@join__field(graph: LOYALTY, type: "String!")',
    ]
    schema = api_schema(result.unwrap())
    member = schema.get_type("Member")
    assert str(member.fields["nickname"].type) == "String"  # type: ignore[union-attr]
    assert str(schema.query_type.fields["members"].type) == "[Member!]"  # type: ignore[union-attr]
    assert sorted(h.code for h in result.hints) == [
        "FROM_SUBGRAPH_DOES_NOT_EXIST",
        "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
        "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
        "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
    ]  # the same hints Apollo's composition gives


def test_overridden_field_still_used_by_a_key_is_marked_used_overridden() -> None:
    header = fed2('"@key", "@override"')
    at = composed_directives_at(
        old=header + 'type Order @key(fields: "id sku") { id: ID! sku: String }\ntype Query { order: Order }',
        new=header + 'type Order @key(fields: "id") { id: ID! sku: String @override(from: "old") }',
    )

    assert at["Order.sku"] == [
        '@join__field(graph: NEW, override: "old")',
        "@join__field(graph: OLD, usedOverridden: true)",
    ]


def test_federation_1_extend_type_composes_like_federation_2() -> None:
    at = directives_at(_compose("federation_1"))

    assert at["User"] == ['@join__type(graph: POSTS, key: "id")', '@join__type(graph: USERS, key: "id")']
    assert at["User.id"] == []  # @external on a key of a type extension is dropped
    assert at["User.posts"] == ["@join__field(graph: POSTS)"]
    assert at["Query.latestPosts"] == ["@join__field(graph: POSTS)"]


def test_explicit_extends_keeps_extension_flag() -> None:
    header = fed2('"@key", "@extends"')
    at = composed_directives_at(
        a=header + 'type User @key(fields: "id") { id: ID! }\ntype Query { me: User }',
        b=header + 'type User @key(fields: "id") @extends { id: ID! age: Int }',
    )

    assert at["User"] == [
        '@join__type(graph: A, key: "id")',
        '@join__type(graph: B, key: "id", extension: true)',
    ]


def test_interface_object_authz_and_renamed_imports() -> None:
    sdl = _compose("interface_object_and_authz")
    at = directives_at(sdl)

    assert at["Media"] == [
        '@join__type(graph: CONTENT, key: "id")',
        '@join__type(graph: LIKES, key: "id", isInterfaceObject: true)',
    ]
    # @policy was imported as @rule: the supergraph keeps that name, declared by the @link import.
    assert at["Media.likes"] == ["@join__field(graph: LIKES)", '@rule(policies: [["likes:read"]])']
    assert at["Video.likes"] == ['@rule(policies: [["likes:read"]])', "@join__field"]
    assert at["Media.secretScore"] == ["@inaccessible", "@join__field(graph: LIKES)"]
    assert at["Query.media"] == ["@join__field(graph: CONTENT)", "@authenticated"]
    assert at["Query.admin"] == ["@join__field(graph: CONTENT)", '@requiresScopes(scopes: [["admin"]])']
    assert at["Photo.title"] == ['@tag(name: "public")']
    for link in (
        '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY, import: [{name: "@policy", as: "@rule"}])',
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
    ):
        assert link in sdl
    query = api_schema(sdl).query_type
    assert query is not None
    assert "internalMetrics" not in query.fields and "media" in query.fields
    media = api_schema(sdl).get_type("Media")
    assert "secretScore" not in media.fields and "likes" in media.fields  # type: ignore[union-attr]


def test_authz_requirements_from_two_subgraphs_are_combined_with_and() -> None:
    header = fed2('"@key", "@shareable", "@requiresScopes"', minor=5)
    at = composed_directives_at(
        a=header + 'type Query { stats: Int @shareable @requiresScopes(scopes: [["read"], ["admin"]]) }',
        b=header + 'type Query { stats: Int @shareable @requiresScopes(scopes: [["stats"]]) }',
    )

    assert at["Query.stats"] == ['@requiresScopes(scopes: [["read", "stats"], ["admin", "stats"]])']


def test_graph_enum_values_are_sanitised_and_unique() -> None:
    assert graph_enum_values(["users", "user-s", "user_s", "3d"]) == {
        "users": "USERS",
        "user-s": "USER_S",
        "user_s": "USER_S_1",
        "3d": "_3D",
    }


def test_renamed_root_types_and_federation_fields_are_normalised() -> None:
    sdl = (
        fed2('"@key"') + "schema { query: RootQuery }\n"
        "scalar _Any\ntype _Service { sdl: String }\n"
        "type RootQuery { _service: _Service! hello: String }"
    )
    schema = api_schema(compose([SubgraphInput("a", "http://a", sdl)]).unwrap())

    assert schema.query_type is not None and schema.query_type.name == "Query"
    assert list(schema.query_type.fields) == ["hello"]
    assert schema.get_type("_Service") is None


def test_composed_directive_is_linked_defined_and_applied() -> None:
    sdl = _compose("compose_directive")
    at = directives_at(sdl)

    assert '@link(url: "https://fitgraph.dev/cache/v1.0", import: ["@cacheHint"])' in sdl
    assert "directive @cacheHint(maxAge: Int) on FIELD_DEFINITION | OBJECT" in sdl
    assert at["User"][-1] == "@cacheHint(maxAge: 60)"
    assert at["User.name"] == ["@join__field(graph: A)", "@cacheHint(maxAge: 10)"]
    assert "@cacheHint" not in api_schema_sdl(sdl)


def test_nested_list_nullability_merges_to_the_most_general_type() -> None:
    header = fed2('"@shareable"')
    a = SubgraphInput("a", "http://a", header + "type Query { grid: [[Int!]]! @shareable }")
    b = SubgraphInput("b", "http://b", header + "type Query { grid: [[Int]]! @shareable }")
    at = directives_at(compose([a, b]).unwrap())

    # Apollo accepts this ([[Int!]]! is a subtype of [[Int]]!); the Guild's composer refuses it.
    assert at["Query.grid"] == [
        '@join__field(graph: A, type: "[[Int!]]!")',
        '@join__field(graph: B, type: "[[Int]]!")',
    ]
    assert "grid: [[Int]]!" in api_schema_sdl(compose([a, b]).unwrap())
