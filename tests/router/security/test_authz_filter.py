"""Authorization filtering on small schemas: directives found through @link (renamed too), on
fields and on object / interface / scalar / enum types, nested paths, lists, aliases,
fragments, and the operation that filters down to nothing."""

from __future__ import annotations

import pytest
from graphql import DocumentNode, GraphQLSchema, build_schema, parse, print_ast

from auth.claims import Claims
from router.security.authz import MAX_AUTHZ_ERRORS, filter_operation
from router.security.directives import AuthorizationRequirements, Requirement

LINKS = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", import: ["@authenticated"])
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", import: [{name: "@requiresScopes", as: "@scopes"}])
  @link(url: "https://specs.apollo.dev/policy/v0.1", as: "pol")
{ query: Query mutation: Mutation }

directive @link(url: String, as: String, import: [link__Import]) repeatable on SCHEMA
directive @authenticated on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
directive @scopes(scopes: [[String!]!]!) on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
directive @pol(policies: [[String!]!]!) on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
scalar link__Import
"""

TYPES = """
type Query {
  me: User @authenticated
  user(id: ID!): User
  posts: [Post!]!
  nodes: [Node!]!
  search: [Result!]!
  stats: Stats
  secret: Secret
  level: Level
  public: String
}

type Mutation @authenticated {
  deleteUser(id: ID!): Boolean
}

type User {
  id: ID!
  name: String
  email: String @scopes(scopes: [["profile:read"], ["admin:read"]])
  phone: String @scopes(scopes: [["profile:read", "pii:read"]])
  audit: String @pol(policies: [["audit"]])
  posts: [Post!]!
}

type Post implements Node {
  id: ID!
  title: String
  author: User
  draft: String @authenticated
}

interface Node { id: ID! draft: String }

type Report implements Node @scopes(scopes: [["bi:read"]]) {
  id: ID!
  draft: String
  total: Int
}

union Result = Post | Report

type Stats @authenticated { count: Int }

scalar Secret @scopes(scopes: [["admin:read"]])

enum Level @authenticated { LOW HIGH }
"""

SDL = LINKS + TYPES


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SDL)


@pytest.fixture(scope="module")
def requirements() -> AuthorizationRequirements:
    return AuthorizationRequirements.from_sdl(SDL)


def claims(*scopes: str) -> Claims:
    return Claims(
        subject="u1",
        roles=frozenset({"user"}),
        scopes=frozenset(scopes),
        issued_at=0,
        expires_at=0,
        token_id="t",
    )


def run(
    schema: GraphQLSchema,
    requirements: AuthorizationRequirements,
    query: str,
    who: Claims | None,
    policies: tuple[str, ...] = (),
) -> tuple[DocumentNode, list[dict[str, object]]]:
    return filter_operation(parse(query), None, schema, requirements, who, policies=policies)


def text(document: DocumentNode) -> str:
    return " ".join(print_ast(document).split())


def paths(errors: list[dict[str, object]]) -> list[list[str]]:
    return [error["path"] for error in errors]  # type: ignore[misc]


def test_directives_are_read_through_imports_renames_and_namespaces(
    requirements: AuthorizationRequirements,
) -> None:
    assert requirements.fields[("Query", "me")] == Requirement(authenticated=True)
    assert requirements.fields[("User", "email")].scopes == (
        (frozenset({"profile:read"}), frozenset({"admin:read"})),
    )
    assert requirements.fields[("User", "audit")].policies == ((frozenset({"audit"}),),)
    assert requirements.types["Mutation"].authenticated
    assert requirements.types["Secret"].scopes == ((frozenset({"admin:read"}),),)
    assert requirements.types["Level"].authenticated
    assert requirements.types["Report"].scopes == ((frozenset({"bi:read"}),),)
    assert requirements.scope_names == {"profile:read", "admin:read", "pii:read", "bi:read"}


def test_directives_without_a_link_are_not_authorization() -> None:
    sdl = "directive @authenticated on FIELD_DEFINITION\ntype Query { a: Int @authenticated }"
    assert AuthorizationRequirements.from_sdl(sdl).empty


def test_default_names_and_namespaced_names() -> None:
    sdl = """
    schema @link(url: "https://specs.apollo.dev/authenticated/v0.1")
           @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "rs") { query: Query }
    type Query { a: Int @authenticated b: Int @rs(scopes: [["x"]]) c: Int @rs__requiresScopes(scopes: [["y"]]) }
    """
    requirements = AuthorizationRequirements.from_sdl(sdl)
    assert requirements.fields[("Query", "a")].authenticated
    assert requirements.fields[("Query", "b")].scopes == ((frozenset({"x"}),),)
    assert requirements.fields[("Query", "c")].scopes == ((frozenset({"y"}),),)


def test_authorized_caller_gets_the_operation_untouched(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    query = "{ me { id email phone } public }"
    document, errors = run(schema, requirements, query, claims("profile:read", "pii:read"))
    assert errors == []
    assert text(document) == text(parse(query))


def test_anonymous_caller_loses_protected_fields_with_unauthenticated(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    document, errors = run(schema, requirements, '{ me { id } user(id: "1") { name email } public }', None)
    assert text(document) == '{ user(id: "1") { name } public }'
    assert paths(errors) == [["me"], ["user", "email"]]
    assert {error["extensions"]["code"] for error in errors} == {"UNAUTHENTICATED"}  # type: ignore[index]
    assert all(error["message"] == "Unauthorized field or type" for error in errors)


def test_scopes_are_or_of_and(schema: GraphQLSchema, requirements: AuthorizationRequirements) -> None:
    query = '{ user(id: "1") { email phone } }'
    # admin:read is the second alternative of email; phone needs both of its scopes.
    document, errors = run(schema, requirements, query, claims("admin:read", "pii:read"))
    assert text(document) == '{ user(id: "1") { email } }'
    assert paths(errors) == [["user", "phone"]]
    assert errors[0]["extensions"] == {"code": "FORBIDDEN"}


def test_nested_lists_and_aliases_in_paths(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    query = "{ feed: posts { title author { handle: name mail: email posts { secretDraft: draft title } } } }"
    document, errors = run(schema, requirements, query, None)
    assert text(document) == "{ feed: posts { title author { handle: name posts { title } } } }"
    assert paths(errors) == [
        ["feed", "@", "author", "mail"],
        ["feed", "@", "author", "posts", "@", "secretDraft"],
    ]


def test_type_level_requirements_on_object_scalar_enum_and_root(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    document, errors = run(schema, requirements, "{ stats { count } secret level public }", claims())
    assert text(document) == "{ stats { count } level public }"
    assert paths(errors) == [["secret"]]
    document, errors = run(schema, requirements, "{ stats { count } secret level public }", None)
    assert text(document) == "{ public }"
    assert paths(errors) == [["stats"], ["secret"], ["level"]]
    # A root type's requirement covers every root field.
    document, errors = run(schema, requirements, 'mutation { deleteUser(id: "1") }', None)
    assert document.definitions == ()
    assert paths(errors) == [["deleteUser"]]


def test_fragments_on_unauthorized_types_are_removed(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    query = """
    { search { __typename ... on Post { title } ... on Report { total } }
      nodes { id ...R } }
    fragment R on Report { total }
    """
    document, errors = run(schema, requirements, query, claims())
    assert text(document) == "{ search { __typename ... on Post { title } } nodes { id } }"
    assert paths(errors) == [["search", "@", "total"], ["nodes", "@", "total"]]
    # With bi:read the fragment definition survives (and the interface field too).
    document, errors = run(schema, requirements, query, claims("bi:read"))
    assert errors == []
    assert "fragment R on Report" in print_ast(document)


def test_interface_field_is_removed_when_an_implementation_protects_it(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    # Post.draft requires authentication: `nodes { draft }` could read it on a Post.
    document, errors = run(schema, requirements, "{ nodes { id draft } }", None)
    assert text(document) == "{ nodes { id } }"
    assert paths(errors) == [["nodes", "@", "draft"]]
    document, errors = run(schema, requirements, "{ nodes { id draft } }", claims())
    assert errors == []


def test_named_fragments_are_filtered_once_and_emptied_ones_dropped(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    query = """
    query Q { me { ...U } user(id: "2") { ...U ...Private } public }
    fragment U on User { id name }
    fragment Private on User { email phone }
    """
    document, errors = run(schema, requirements, query, None)
    assert text(document) == 'query Q { user(id: "2") { ...U } public } fragment U on User { id name }'
    assert paths(errors) == [["me"], ["user", "email"], ["user", "phone"]]


def test_nothing_left_means_an_empty_document(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    document, errors = run(schema, requirements, "{ me { id } stats { count } }", None)
    assert document.definitions == ()
    assert paths(errors) == [["me"], ["stats"]]
    # A field whose whole selection is removed goes too (its fields were reported).
    document, errors = run(schema, requirements, '{ user(id: "1") { email } public }', None)
    assert text(document) == "{ public }"
    assert paths(errors) == [["user", "email"]]


def test_typename_is_never_removed(schema: GraphQLSchema, requirements: AuthorizationRequirements) -> None:
    document, errors = run(schema, requirements, '{ user(id: "1") { __typename email } }', None)
    assert text(document) == '{ user(id: "1") { __typename } }'
    assert paths(errors) == [["user", "email"]]


def test_policies_granted_by_name(schema: GraphQLSchema, requirements: AuthorizationRequirements) -> None:
    query = '{ user(id: "1") { name audit } }'
    document, errors = run(schema, requirements, query, claims())
    assert text(document) == '{ user(id: "1") { name } }'
    assert paths(errors) == [["user", "audit"]]
    document, errors = run(schema, requirements, query, claims(), policies=("audit",))
    assert errors == []


def test_operation_name_selects_the_operation(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    document = parse("query A { public } query B { me { id } public }")
    filtered, errors = filter_operation(document, "B", schema, requirements, None)
    assert text(filtered) == "query B { public }"
    assert paths(errors) == [["me"]]
    with pytest.raises(ValueError):
        filter_operation(document, "C", schema, requirements, None)


def test_fragment_bomb_reports_a_bounded_number_of_errors(
    schema: GraphQLSchema, requirements: AuthorizationRequirements
) -> None:
    levels = ["fragment L0 on Query { me { id } a: public }"]
    for level in range(1, 9):
        levels.append(f"fragment L{level} on Query {{ ...L{level - 1} ...L{level - 1} ...L{level - 1} }}")
    document, errors = run(schema, requirements, "{ ...L8 } " + " ".join(levels), None)
    assert len(errors) <= MAX_AUTHZ_ERRORS
    assert paths(errors) == [["me"]]
    assert "me {" not in print_ast(document)
    assert "a: public" in print_ast(document)


NULLS_SDL = """
schema @link(url: "https://specs.apollo.dev/authenticated/v0.1", import: ["@authenticated"]) { query: Query }
directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
directive @authenticated on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
type Query { account: Account strict: Account! list: [Account!] pets: [Pet] }
type Account { id: ID! token: String! @authenticated note: String @authenticated owner: Account }
interface Pet { name: String }
type Dog implements Pet { name: String bark: String @authenticated }
type Cat implements Pet { name: String }
"""


@pytest.mark.parametrize(
    ("query", "data", "expected"),
    [
        # A nullable field answers null in place.
        ("{ account { id note } }", {"account": {"id": "1"}}, {"account": {"id": "1", "note": None}}),
        # A non-null one nulls its nearest nullable ancestor.
        ("{ account { id token } }", {"account": {"id": "1"}}, {"account": None}),
        ("{ list { id token } }", {"list": [{"id": "1"}, {"id": "2"}]}, {"list": None}),
        (
            "{ account { owner { id token } } }",
            {"account": {"owner": {"id": "2"}}},
            {"account": {"owner": None}},
        ),
        # Up to the root when every position on the way is non-null.
        ("{ strict { id token } account { id } }", {"strict": {"id": "1"}, "account": {"id": "1"}}, None),
        # A field whose whole selection went is null itself.
        (
            "{ account { note } list { id } }",
            {"list": [{"id": "1"}]},
            {"account": None, "list": [{"id": "1"}]},
        ),
        # Under a narrowing type condition the objects concerned are unknown: nothing is added.
        (
            "{ pets { name ... on Dog { bark } } }",
            {"pets": [{"name": "Rex"}, {"name": "Tom"}]},
            {"pets": [{"name": "Rex"}, {"name": "Tom"}]},
        ),
        # A null parent stays null.
        ("{ account { id note } }", {"account": None}, {"account": None}),
    ],
)
def test_removed_fields_are_answered_null(
    query: str, data: dict[str, object], expected: dict[str, object] | None
) -> None:
    from graphql import OperationDefinitionNode

    from router.security.authz import Grant, filter_prepared_parts
    from router.security.shape import apply_nulls

    schema = build_schema(NULLS_SDL)
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    result = filter_prepared_parts(
        operation, {}, schema, AuthorizationRequirements.from_sdl(NULLS_SDL), Grant(False)
    )
    assert result.errors
    assert apply_nulls(data, result.null_paths) == expected


def test_type_extensions_and_interface_types_carry_requirements() -> None:
    sdl = """
    schema @link(url: "https://specs.apollo.dev/authenticated/v0.1", import: ["@authenticated"])
           @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", import: ["@requiresScopes"]) { query: Query }
    directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
    directive @authenticated on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
    directive @requiresScopes(scopes: [[String!]!]!) on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
    type Query { vault: Vault item: Item open: Int }
    interface Vault @authenticated { id: ID }
    type Box implements Vault { id: ID }
    type Item { id: ID }
    extend type Item @requiresScopes(scopes: [["items:read"]])
    extend type Item { price: Int @requiresScopes(scopes: [["prices:read"]]) }
    """
    schema = build_schema(sdl)
    requirements = AuthorizationRequirements.from_sdl(sdl)
    assert requirements.types["Item"].scopes == ((frozenset({"items:read"}),),)
    assert requirements.fields[("Item", "price")].scopes == ((frozenset({"prices:read"}),),)
    document, errors = run(schema, requirements, "{ vault { id } item { id price } open }", None)
    assert text(document) == "{ open }"
    assert paths(errors) == [["vault"], ["item"]]
    document, errors = run(
        schema, requirements, "{ vault { id } item { id price } open }", claims("items:read")
    )
    assert text(document) == "{ vault { id } item { id } open }"
    assert paths(errors) == [["item", "price"]]


def test_several_directives_on_one_element_must_all_hold() -> None:
    sdl = """
    schema @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", import: ["@requiresScopes"]) { query: Query }
    directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
    directive @requiresScopes(scopes: [[String!]!]!) repeatable on OBJECT | FIELD_DEFINITION | INTERFACE | SCALAR | ENUM
    type Query { report: Int @requiresScopes(scopes: [["a"], ["b"]]) @requiresScopes(scopes: [["c"]]) }
    """
    schema = build_schema(sdl)
    requirements = AuthorizationRequirements.from_sdl(sdl)
    assert run(schema, requirements, "{ report }", claims("a"))[0].definitions == ()
    assert run(schema, requirements, "{ report }", claims("b", "c"))[1] == []
