"""One failing subgraph set per composition error class (code, where, which subgraphs)."""

from __future__ import annotations

from dataclasses import dataclass

from schema.compose import SubgraphInput
from tests.schema.compose.support import fed2

__all__ = ["ERROR_CASES", "ErrorCase"]

_ALL = '"@key", "@shareable", "@external", "@requires", "@provides", "@override", "@interfaceObject"'


def _fed2(body: str, imports: str = _ALL) -> str:
    return fed2(imports) + body


def _subgraphs(**sdls: str) -> list[SubgraphInput]:
    return [SubgraphInput(name, f"http://{name}:4000/graphql", sdl) for name, sdl in sdls.items()]


@dataclass(frozen=True)
class ErrorCase:
    code: str
    subgraphs: list[SubgraphInput]
    coordinate: str | None
    involved: tuple[str, ...]
    # Does @theguild/federation-composition reject it too? And Apollo's composition?
    node_rejects: bool = True
    apollo_rejects: bool = True


_USER_A = _fed2('type User @key(fields: "id") { id: ID! name: String }\ntype Query { me: User }')

ERROR_CASES: dict[str, ErrorCase] = {
    "field_type_mismatch": ErrorCase(
        "FIELD_TYPE_MISMATCH",
        _subgraphs(
            a=_fed2('type User @key(fields: "id") { id: ID! age: Int @shareable }\ntype Query { me: User }'),
            b=_fed2('type User @key(fields: "id") { id: ID! age: String @shareable }'),
        ),
        "User.age",
        ("a", "b"),
    ),
    "input_field_type_mismatch": ErrorCase(
        "FIELD_TYPE_MISMATCH",
        _subgraphs(
            a=_fed2("input Range { from: Int }\ntype Query { a(r: Range): Int }"),
            b=_fed2("input Range { from: String }\ntype Query { b(r: Range): Int }"),
        ),
        "Range.from",
        ("a", "b"),
    ),
    "argument_type_mismatch": ErrorCase(
        "FIELD_ARGUMENT_TYPE_MISMATCH",
        _subgraphs(
            a=_fed2("type Query { search(term: String): [String] @shareable }"),
            b=_fed2("type Query { search(term: Int): [String] @shareable }"),
        ),
        "Query.search(term:)",
        ("a", "b"),
    ),
    "argument_default_mismatch": ErrorCase(
        "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        _subgraphs(
            a=_fed2("type Query { list(first: Int = 10): [String] @shareable }"),
            b=_fed2("type Query { list(first: Int = 20): [String] @shareable }"),
        ),
        "Query.list(first:)",
        ("a", "b"),
    ),
    "invalid_field_sharing": ErrorCase(
        "INVALID_FIELD_SHARING",
        _subgraphs(a=_USER_A, b=_fed2('type User @key(fields: "id") { id: ID! name: String }')),
        "User.name",
        ("a", "b"),
    ),
    "key_invalid_fields": ErrorCase(
        "KEY_INVALID_FIELDS",
        _subgraphs(a=_fed2('type User @key(fields: "uuid") { id: ID! }\ntype Query { me: User }')),
        "User",
        ("a",),
    ),
    "key_fields_select_invalid_type": ErrorCase(
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        _subgraphs(
            a=_fed2(
                "interface Owner { id: ID! }\ntype Org implements Owner { id: ID! }\n"
                'type Repo @key(fields: "owner { id }") { owner: Owner! }\ntype Query { repo: Repo }'
            )
        ),
        "Repo",
        ("a",),
        node_rejects=False,  # the Guild's library lets interface-typed keys through; Apollo does not
    ),
    "key_fields_has_args": ErrorCase(
        "KEY_FIELDS_HAS_ARGS",
        _subgraphs(
            a=_fed2('type User @key(fields: "id") { id(format: String): ID! }\ntype Query { me: User }')
        ),
        "User",
        ("a",),
    ),
    "requires_invalid_fields": ErrorCase(
        "REQUIRES_INVALID_FIELDS",
        _subgraphs(
            a=_USER_A,
            b=_fed2('type User @key(fields: "id") { id: ID! greeting: String @requires(fields: "nmae") }'),
        ),
        "User.greeting",
        ("b",),
    ),
    "requires_fields_missing_external": ErrorCase(
        "REQUIRES_FIELDS_MISSING_EXTERNAL",
        _subgraphs(
            a=_USER_A,
            b=_fed2(
                'type User @key(fields: "id") { id: ID! age: Int greeting: String @requires(fields: "age") }'
            ),
        ),
        "User.greeting",
        ("b",),
    ),
    "provides_invalid_fields": ErrorCase(
        "PROVIDES_INVALID_FIELDS",
        _subgraphs(
            a=_USER_A,
            b=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @external }\n'
                'type Post { author: User @provides(fields: "title") }\ntype Query { posts: [Post] }'
            ),
        ),
        "Post.author",
        ("b",),
    ),
    "provides_fields_missing_external": ErrorCase(
        "PROVIDES_FIELDS_MISSING_EXTERNAL",
        _subgraphs(
            a=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @shareable }\ntype Query { me: User }'
            ),
            b=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @shareable }\n'
                'type Post { author: User @provides(fields: "name") }\ntype Query { posts: [Post] }'
            ),
        ),
        "Post.author",
        ("b",),
    ),
    "provides_on_non_object_field": ErrorCase(
        "PROVIDES_ON_NON_OBJECT_FIELD",
        _subgraphs(a=_fed2('type Query { count: Int @provides(fields: "x") }')),
        "Query.count",
        ("a",),
    ),
    "external_unused": ErrorCase(
        "EXTERNAL_UNUSED",
        _subgraphs(
            a=_USER_A,
            b=_fed2('type User @key(fields: "id") { id: ID! name: String @external age: Int }'),
        ),
        "User.name",
        ("b",),
    ),
    "external_type_mismatch": ErrorCase(
        "EXTERNAL_TYPE_MISMATCH",
        _subgraphs(
            a=_USER_A,
            b=_fed2(
                'type User @key(fields: "id") { id: ID! name: String! @external '
                'greeting: String @requires(fields: "name") }'
            ),
        ),
        "User.name",
        ("a", "b"),
    ),
    "external_missing_on_base": ErrorCase(
        "EXTERNAL_MISSING_ON_BASE",
        _subgraphs(
            a=_fed2('type User @key(fields: "id") { id: ID! }\ntype Query { me: User }'),
            b=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @external '
                'greeting: String @requires(fields: "name") }'
            ),
        ),
        "User.name",
        ("b",),
    ),
    "override_source_has_override": ErrorCase(
        "OVERRIDE_SOURCE_HAS_OVERRIDE",
        _subgraphs(
            a=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @override(from: "b") }\ntype Query { me: User }'
            ),
            b=_fed2('type User @key(fields: "id") { id: ID! name: String @override(from: "a") }'),
        ),
        "User.name",
        ("a", "b"),
    ),
    "override_from_self": ErrorCase(
        "OVERRIDE_FROM_SELF_ERROR",
        _subgraphs(
            a=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @override(from: "a") }\ntype Query { me: User }'
            )
        ),
        "User.name",
        ("a",),
    ),
    "override_collision_with_external": ErrorCase(
        "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
        _subgraphs(
            a=_USER_A,
            b=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @external @override(from: "a") '
                'greeting: String @requires(fields: "name") }'
            ),
        ),
        "User.name",
        ("b",),
    ),
    "enum_value_mismatch": ErrorCase(
        "ENUM_VALUE_MISMATCH",
        _subgraphs(
            a=_fed2("enum Unit { KG LB }\ntype Query { unit(u: Unit): Unit @shareable }"),
            b=_fed2("enum Unit { KG }\ntype Query { unit(u: Unit): Unit @shareable }"),
        ),
        "Unit.LB",
        ("a", "b"),
    ),
    "empty_merged_enum_type": ErrorCase(
        "EMPTY_MERGED_ENUM_TYPE",
        _subgraphs(
            a=_fed2("enum Unit { KG }\ntype Query { a(u: Unit): Int }"),
            b=_fed2("enum Unit { LB }\ntype Query { b(u: Unit): Int }"),
        ),
        "Unit",
        ("a", "b"),
    ),
    "empty_merged_input_type": ErrorCase(
        "EMPTY_MERGED_INPUT_TYPE",
        _subgraphs(
            a=_fed2("input Range { from: Int }\ntype Query { a(r: Range): Int }"),
            b=_fed2("input Range { to: Int }\ntype Query { b(r: Range): Int }"),
        ),
        "Range",
        ("a", "b"),
    ),
    "required_input_field_missing": ErrorCase(
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        _subgraphs(
            a=_fed2("input Range { from: Int! to: Int }\ntype Query { a(r: Range): Int }"),
            b=_fed2("input Range { to: Int }\ntype Query { b(r: Range): Int }"),
        ),
        "Range.from",
        ("a", "b"),
    ),
    "required_argument_missing": ErrorCase(
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        _subgraphs(
            a=_fed2("type Query { search(term: String!): [String] @shareable }"),
            b=_fed2("type Query { search: [String] @shareable }"),
        ),
        "Query.search(term:)",
        ("a", "b"),
    ),
    "type_kind_mismatch": ErrorCase(
        "TYPE_KIND_MISMATCH",
        _subgraphs(
            a=_fed2("type Thing { id: ID }\ntype Query { a: Thing }"),
            b=_fed2("interface Thing { id: ID }\ntype Query { b: Thing }"),
        ),
        "Thing",
        ("a", "b"),
    ),
    "interface_object_without_interface": ErrorCase(
        "INTERFACE_OBJECT_USAGE_ERROR",
        _subgraphs(
            a=_fed2(
                'type Media @key(fields: "id") @interfaceObject { id: ID! likes: Int }\ntype Query { m: Media }'
            )
        ),
        "Media",
        ("a",),
    ),
    "interface_field_not_implemented": ErrorCase(
        "INTERFACE_FIELD_NO_IMPLEM",
        _subgraphs(
            a=_fed2(
                "interface Named { name: String }\ntype Dog implements Named { name: String }\ntype Query { d: Dog }"
            ),
            b=_fed2("interface Named { name: String nickname: String }\ntype Query { n: Named }"),
        ),
        "Dog.nickname",
        ("a",),
    ),
    "extension_with_no_base": ErrorCase(
        "EXTENSION_WITH_NO_BASE",
        _subgraphs(
            a='type User @key(fields: "id") @extends { id: ID! @external name: String }\ntype Query { me: User }',
        ),
        "User",
        ("a",),
    ),
    "unreachable_field": ErrorCase(
        "SATISFIABILITY_ERROR",
        _subgraphs(
            a=_fed2("type Stats @shareable { steps: Int }\ntype Query { stats: Stats }"),
            b=_fed2("type Stats @shareable { steps: Int calories: Int }\ntype Other { s: Stats }"),
        ),
        "Stats.calories",
        ("a", "b"),
    ),
    "entity_no_subgraph_can_resolve": ErrorCase(
        "SATISFIABILITY_ERROR",
        _subgraphs(
            a=_fed2('type User @key(fields: "id", resolvable: false) { id: ID! }\ntype Query { me: User }'),
            b=_fed2('type User @key(fields: "id", resolvable: false) { id: ID! plan: String }'),
        ),
        "User.plan",
        ("a", "b"),
    ),
    "provided_external_needs_shareable": ErrorCase(
        "INVALID_FIELD_SHARING",
        _subgraphs(
            a=_fed2(
                'type User @key(fields: "id", resolvable: false) { id: ID! name: String @external }\n'
                'type Post { author: User @provides(fields: "name") }\ntype Query { posts: [Post] }'
            ),
            b=_fed2('type User @key(fields: "id") { id: ID! name: String }'),
        ),
        "User.name",
        ("a", "b"),
        node_rejects=False,  # the Guild's library misses it; Apollo refuses it
    ),
    "key_fields_not_reachable": ErrorCase(
        "SATISFIABILITY_ERROR",
        _subgraphs(
            a=_fed2('type Item @key(fields: "id") { id: ID! name: String }\ntype Query { item: Item }'),
            b=_fed2('type Item @key(fields: "sku") { sku: String! stock: Int }'),
        ),
        "Item.sku",
        ("a", "b"),
    ),
    "progressive_override_unsupported": ErrorCase(
        "UNSUPPORTED_FEATURE",
        _subgraphs(
            a=_fed2(
                'type User @key(fields: "id") { id: ID! name: String }\ntype Query { me: User }', '"@key"'
            ),
            b=_fed2(
                'type User @key(fields: "id") { id: ID! name: String @override(from: "a", label: "percent(5)") }',
                '"@key", "@override"',
            ).replace("v2.3", "v2.7"),
        ),
        "User.name",
        ("b",),
        node_rejects=False,  # both other composers support it (with join v0.4)
        apollo_rejects=False,
    ),
    "referenced_inaccessible": ErrorCase(
        "REFERENCED_INACCESSIBLE",
        _subgraphs(
            a=_fed2(
                "type Secret @inaccessible { v: Int }\ntype Query { s: Secret x: Int }",
                '"@key", "@inaccessible"',
            )
        ),
        "Query.s",
        ("a",),
    ),
    "only_inaccessible_children": ErrorCase(
        "ONLY_INACCESSIBLE_CHILDREN",
        _subgraphs(
            a=_fed2("type Box { v: Int @inaccessible }\ntype Query { b: Box }", '"@key", "@inaccessible"')
        ),
        "Box",
        ("a",),
    ),
    "required_inaccessible": ErrorCase(
        "REQUIRED_INACCESSIBLE",
        _subgraphs(
            a=_fed2("type Query { find(id: ID! @inaccessible, q: String): Int }", '"@key", "@inaccessible"')
        ),
        "Query.find(id:)",
        ("a",),
    ),
    "no_queries": ErrorCase(
        "NO_QUERIES",
        _subgraphs(a=_fed2("type Mutation { ping: Int }")),
        "Query",
        (),
    ),
    "invalid_graphql": ErrorCase(
        "INVALID_GRAPHQL",
        _subgraphs(a="type Query { me: }"),
        None,
        ("a",),
    ),
    "link_import_name_mismatch": ErrorCase(
        "LINK_IMPORT_NAME_MISMATCH",
        _subgraphs(
            a=_fed2('type Query { a: Int @tag(name: "x") }', '"@key", "@tag"'),
            b=_fed2('type Query { b: Int @label(name: "y") }', '"@key", {name: "@tag", as: "@label"}'),
        ),
        "@tag",
        ("a", "b"),
        node_rejects=False,  # the Guild's library accepts it; Apollo refuses it
    ),
    "unknown_link_import": ErrorCase(
        "INVALID_LINK_DIRECTIVE_USAGE",
        _subgraphs(a=_fed2("type Query { me: Int }", '"@key", "@banana"')),
        None,
        ("a",),
    ),
}

ERROR_CASES["federation_directive_not_imported"] = ErrorCase(
    "INVALID_GRAPHQL",
    _subgraphs(
        a=_fed2(
            'type User @key(fields: "id") { id: ID! name: String @shareable }\ntype Query { me: User }',
            '"@key"',
        )
    ),
    None,
    ("a",),
)
ERROR_CASES["invalid_type_system"] = ErrorCase(
    "INVALID_GRAPHQL",
    _subgraphs(
        a=_fed2(
            "interface Named { name: Int }\ntype Dog implements Named { name: String }\ntype Query { d: Dog }"
        )
    ),
    None,  # two coordinates: see test_type_system_errors_name_the_definitions_involved
    ("a",),
)
ERROR_CASES["duplicate_field"] = ErrorCase(
    "INVALID_GRAPHQL", _subgraphs(a=_fed2("type Query { a: Int a: String }")), "Query.a", ("a",)
)
ERROR_CASES["interface_key_not_on_implementation"] = ErrorCase(
    "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
    _subgraphs(
        a=_fed2(
            'interface Node @key(fields: "id") { id: ID! }\ntype Cat implements Node { id: ID! }\ntype Query { n: Node }'
        )
    ),
    "Node",
    ("a",),
)
ERROR_CASES["shareable_on_interface"] = ErrorCase(
    "INVALID_SHAREABLE_USAGE",
    _subgraphs(a=_fed2("interface Named { name: String @shareable }\ntype Query { n: Named }")),
    "Named.name",
    ("a",),
)
ERROR_CASES["list_nullability_at_different_depths"] = ErrorCase(
    "FIELD_TYPE_MISMATCH",
    _subgraphs(
        a=_fed2("type Query { list: [Int]! @shareable }"),
        b=_fed2("type Query { list: [Int!] @shareable }"),
    ),
    "Query.list",
    ("a", "b"),
)
ERROR_CASES["default_value_uses_inaccessible"] = ErrorCase(
    "DEFAULT_VALUE_USES_INACCESSIBLE",
    _subgraphs(
        a=_fed2(
            "enum Unit { KG @inaccessible LB }\ntype Query { weight(unit: Unit = KG): Float }",
            '"@key", "@inaccessible"',
        )
    ),
    "Query.weight(unit:)",
    ("a",),
    node_rejects=False,  # the Guild's library accepts it; Apollo refuses it
)
