"""More subgraph sets that must compose: shapes checked byte for byte against Apollo's composition
(requires/provides, Federation 1, entity interfaces, satisfiability jumps, directives, defaults)."""

from __future__ import annotations

from schema.compose import SubgraphInput
from tests.schema.compose.support import fed2

__all__ = ["EXTRA_QUERIES", "EXTRA_SCENARIOS"]


EXTRA_SCENARIOS: dict[str, list[SubgraphInput]] = {}
EXTRA_QUERIES: dict[str, str] = {}

# More shapes, each checked byte for byte against Apollo's composition.
NESTED_REQUIRES_PROVIDES = [
    SubgraphInput(
        "shop",
        "http://shop/graphql",
        fed2('"@key", "@shareable"')
        + """
type Product @key(fields: "upc") { upc: String! name: String! @shareable dims: Dims @shareable price: Int }
type Dims @shareable { weight: Float length: Float }
type Query { top(first: Int = 5): [Product] }
""",
    ),
    SubgraphInput(
        "ship",
        "http://ship/graphql",
        fed2('"@key", "@external", "@requires", "@provides", "@shareable"')
        + """
type Product @key(fields: "upc") { upc: String! dims: Dims @external price: Int @external shippingEstimate: Int @requires(fields: "price dims { weight }") }
type Dims @shareable { weight: Float length: Float }
type Order @key(fields: "id") { id: ID! items: [Product!]! @provides(fields: "name") }
extend type Product { name: String! @external }
type Query { order(id: ID!): Order }
""",
    ),
]
ROOTS_AND_DESCRIPTIONS = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable", "@inaccessible"')
        + '''
"""Time in ISO-8601"""
scalar DateTime
"""Things"""
interface Thing { id: ID! }
interface Named implements Thing { id: ID! name: String }
type Cat implements Named & Thing @key(fields: "id") { id: ID! name: String born: DateTime }
"""Kinds of sort"""
enum Order {
  "Ascending"
  ASC
  DESC @deprecated(reason: "nope")
}
input Page {
  "how many"
  first: Int = 10
  after: String
}
type Query {
  """Find cats"""
  cats(
    "paging"
    page: Page
    order: Order = ASC
  ): [Cat!]!
  hidden: Int @inaccessible
}
type Mutation { adopt(id: ID!): Cat }
type Subscription { catBorn: Cat }
''',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@shareable"')
        + """
scalar DateTime
type Cat @key(fields: "id") { id: ID! lives: Int lastSeen: DateTime }
type Mutation { feed(id: ID!, at: DateTime): Cat }
""",
    ),
]
FED1_FULL = [
    SubgraphInput(
        "accounts",
        "http://accounts/graphql",
        """
type User @key(fields: "id") { id: ID! name: String username: String }
extend type Query { me: User }
""",
    ),
    SubgraphInput(
        "reviews",
        "http://reviews/graphql",
        """
type Review @key(fields: "id") { id: ID! body: String author: User @provides(fields: "username") product: Product }
extend type User @key(fields: "id") { id: ID! @external username: String @external reviews: [Review] }
extend type Product @key(fields: "upc") { upc: String! @external reviews: [Review] }
""",
    ),
    SubgraphInput(
        "products",
        "http://products/graphql",
        """
type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }
extend type Query { topProducts(first: Int = 5): [Product] }
""",
    ),
    SubgraphInput(
        "inventory",
        "http://inventory/graphql",
        """
extend type Product @key(fields: "upc") { upc: String! @external weight: Int @external price: Int @external inStock: Boolean shippingEstimate: Int @requires(fields: "price weight") }
""",
    ),
]
ENTITY_INTERFACE_AND_VALUES = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable", "@tag"')
        + """
interface Account @key(fields: "id") { id: ID! plan: String }
type Free implements Account @key(fields: "id") { id: ID! plan: String ads: Boolean }
type Pro implements Account @key(fields: "id") { id: ID! plan: String seats: Int }
type Point @shareable { x: Int! y: Int! }
type Query { account(id: ID!): Account points: [Point!]! @shareable }
""",
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@interfaceObject", "@shareable"')
        + """
type Account @key(fields: "id") @interfaceObject { id: ID! usage: Int }
type Point @shareable { x: Int! y: Int! }
type Query { points: [Point!] @shareable usageOf(id: ID!): Account }
""",
    ),
]
EXTRA_SCENARIOS.update(
    {
        "nested_requires_provides": NESTED_REQUIRES_PROVIDES,
        "roots_and_descriptions": ROOTS_AND_DESCRIPTIONS,
        "fed1_full": FED1_FULL,
        "entity_interface_and_values": ENTITY_INTERFACE_AND_VALUES,
    }
)
EXTRA_QUERIES.update(
    {
        "nested_requires_provides": "{ top { name shippingEstimate } order(id: 1) { items { name price } } }",
        "roots_and_descriptions": "{ cats(order: ASC) { name lives lastSeen } }",
        "fed1_full": "{ topProducts { name inStock shippingEstimate reviews { body author { username name } } } }",
        "entity_interface_and_values": "{ account(id: 1) { plan usage ... on Pro { seats } } points { x } }",
    }
)


# Entity jumps the satisfiability check must accept (Apollo accepts each).
_ALL = '"@key", "@shareable", "@external", "@requires", "@provides", "@interfaceObject"'
EXTERNAL_KEY_FIELD_FED2 = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL) + 'type User @key(fields: "id") { id: ID! name: String }\ntype Query { me: User }',
    ),
    SubgraphInput(
        "b", "http://b/graphql", fed2(_ALL) + 'type User @key(fields: "id") { id: ID! @external age: Int }'
    ),
]
REQUIRES_FROM_THIRD = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL) + 'type P @key(fields: "id") { id: ID! price: Int }\ntype Query { p: P }',
    ),
    SubgraphInput("b", "http://b/graphql", fed2(_ALL) + 'type P @key(fields: "id") { id: ID! weight: Int }'),
    SubgraphInput(
        "c",
        "http://c/graphql",
        fed2(_ALL)
        + 'type P @key(fields: "id") { id: ID! price: Int @external weight: Int @external ship: Int @requires(fields: "price weight") }',
    ),
]
COMPOSITE_KEY_PARTIAL = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL)
        + 'type Item @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! name: String }\ntype Query { item: Item }',
    ),
    SubgraphInput(
        "b", "http://b/graphql", fed2(_ALL) + 'type Item @key(fields: "sku") { sku: String! stock: Int }'
    ),
    SubgraphInput(
        "c",
        "http://c/graphql",
        fed2(_ALL) + 'type Item @key(fields: "id") { id: ID! rating: Int }\ntype Query { rated: [Item] }',
    ),
]
INTERFACE_OBJECT_FROM_IMPL = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL)
        + 'interface Media @key(fields: "id") { id: ID! }\ntype Book implements Media @key(fields: "id") { id: ID! title: String }\ntype Query { book: Book }',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2(_ALL) + 'type Media @key(fields: "id") @interfaceObject { id: ID! reviews: Int }',
    ),
]
UNION_MEMBER_ELSEWHERE = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL)
        + 'type A @key(fields: "id") { id: ID! }\ntype B @key(fields: "id") { id: ID! }\nunion U = A | B\ntype Query { u: [U] }',
    ),
    SubgraphInput("b", "http://b/graphql", fed2(_ALL) + 'type B @key(fields: "id") { id: ID! extra: Int }'),
]
NESTED_KEY_FIELD = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL)
        + 'type Org { id: ID! }\ntype User @key(fields: "org { id } login") { org: Org! login: String! name: String }\ntype Query { me: User }',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2(_ALL)
        + 'type Org { id: ID! }\ntype User @key(fields: "org { id } login") { org: Org! login: String! age: Int }',
    ),
]
ENTITY_FIELD_ONLY_IN_NONROOT_GRAPH = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2(_ALL) + 'type User @key(fields: "id") { id: ID! }\ntype Query { me: User }',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2(_ALL) + 'type User @key(fields: "id") { id: ID! plan: Plan }\ntype Plan { name: String }',
    ),
]
EXTRA_SCENARIOS.update(
    {
        "external_key_field_fed2": EXTERNAL_KEY_FIELD_FED2,
        "requires_from_third": REQUIRES_FROM_THIRD,
        "composite_key_partial": COMPOSITE_KEY_PARTIAL,
        "interface_object_from_impl": INTERFACE_OBJECT_FROM_IMPL,
        "union_member_elsewhere": UNION_MEMBER_ELSEWHERE,
        "nested_key_field": NESTED_KEY_FIELD,
        "entity_field_only_in_nonroot_graph": ENTITY_FIELD_ONLY_IN_NONROOT_GRAPH,
    }
)
EXTRA_QUERIES.update(
    {
        "external_key_field_fed2": "{ me { name age } }",
        "requires_from_third": "{ p { price ship } }",
        "composite_key_partial": "{ item { name stock rating } rated { sku stock } }",
        "interface_object_from_impl": "{ book { title reviews } }",
        "union_member_elsewhere": "{ u { ... on B { extra } } }",
        "nested_key_field": "{ me { name age org { id } } }",
        "entity_field_only_in_nonroot_graph": "{ me { plan { name } } }",
    }
)

# A custom directive carried into the supergraph with @composeDirective (federation 2.1+).
COMPOSE_DIRECTIVE = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])\n'
        '  @link(url: "https://fitgraph.dev/cache/v1.0", import: ["@cacheHint"])\n'
        '  @composeDirective(name: "@cacheHint")\n'
        "directive @cacheHint(maxAge: Int) on FIELD_DEFINITION | OBJECT\n"
        'type User @key(fields: "id") @cacheHint(maxAge: 60) { id: ID! name: String @cacheHint(maxAge: 10) }\n'
        "type Query { me: User }\n",
    ),
    SubgraphInput(
        "b", "http://b/graphql", fed2('"@key"') + 'type User @key(fields: "id") { id: ID! age: Int }\n'
    ),
]
EXTRA_SCENARIOS["compose_directive"] = COMPOSE_DIRECTIVE
EXTRA_QUERIES["compose_directive"] = "{ me { name age } }"

# @inaccessible and @tag on every kind of element (directive order as Apollo prints it).
INACCESSIBLE_EVERYWHERE = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@tag", "@inaccessible", "@shareable"')
        + '\ntype Hidden @inaccessible @tag(name: "h") { v: Int }\ninterface Shape @tag(name: "shape") { area: Float }\ntype Sq implements Shape @key(fields: "id") @tag(name: "sq") { id: ID! area: Float side: Float @inaccessible @tag(name: "f") }\nunion U @tag(name: "u") @inaccessible = Sq\nenum E @inaccessible { A B }\nenum F @tag(name: "f") { X @inaccessible @tag(name: "x") Y }\nscalar S @inaccessible\ninput I @tag(name: "i") { a: Int @inaccessible @tag(name: "ia") b: Int }\ntype Query { sq(f: F @tag(name: "arg"), i: I, hidden: Int @inaccessible): Sq shapes: [Shape] }\n',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@tag", "@inaccessible", "@shareable"')
        + '\ntype Sq @key(fields: "id") @tag(name: "sq2") { id: ID! perimeter: Float @inaccessible }\n',
    ),
]
EXTRA_SCENARIOS["inaccessible_everywhere"] = INACCESSIBLE_EVERYWHERE
EXTRA_QUERIES["inaccessible_everywhere"] = "{ sq(f: Y, i: {b: 1}) { area perimeter: area } shapes { area } }"

# Descriptions, defaults and extensions that differ between subgraphs (Apollo's choices).
DESCRIPTIONS_AND_DEFAULTS = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable"')
        + '\n"""A user of the app"""\ntype User @key(fields: "id") {\n  "The id"\n  id: ID!\n  "Display name"\n  name(style: String = "short", upper: Boolean): String @shareable\n}\nextend type Query { user(id: ID!): User @shareable }\n',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@shareable"')
        + '\n"""The user"""\ntype User @key(fields: "id") {\n  id: ID!\n  "Name shown"\n  name(style: String, lower: Boolean): String @shareable\n}\ntype Query { user(id: ID!): User @shareable }\n',
    ),
    SubgraphInput(
        "c",
        "http://c/graphql",
        fed2('"@key", "@shareable"')
        + '\n"""The user"""\ntype User @key(fields: "id") { id: ID! age: Int }\ntype Subscription { userChanged: User }\n',
    ),
]
EXTENSIONS = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable"')
        + '\nextend type Thing { x: Int @shareable }\nextend type Keyed @key(fields: "id") { id: ID! y: Int }\ninput Filter { a: Int = 1 b: Int }\nextend type Query { t: Thing k: Keyed f(x: Filter): Int }\n',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@shareable"')
        + '\ntype Thing { x: Int @shareable }\ntype Keyed @key(fields: "id") { id: ID! w: Int }\ninput Filter { a: Int b: Int = 2 }\ntype Query { g(x: Filter): Int }\n',
    ),
]
EXTRA_SCENARIOS["descriptions_and_defaults"] = DESCRIPTIONS_AND_DEFAULTS
EXTRA_SCENARIOS["extensions"] = EXTENSIONS
EXTRA_QUERIES["descriptions_and_defaults"] = '{ user(id: 1) { name(style: "long") age } }'
EXTRA_QUERIES["extensions"] = "{ t { x } k { y w } f(x: {a: 1}) g }"

# Nullability and abstract/concrete differences that still compose (and record join__field type:).
NULLABILITY_MIX = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable"')
        + '\ninput F { a: Int b: Int! }\ninterface Pet { id: ID! }\ntype Cat implements Pet @key(fields: "id") { id: ID! }\ntype Query {\n  list(f: F, n: Int): [Int]! @shareable\n  pet: Pet @shareable\n}\n',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@shareable"')
        + '\ninput F { a: Int! b: Int }\ninterface Pet { id: ID! }\ntype Cat implements Pet @key(fields: "id") { id: ID! }\ntype Query {\n  list(f: F, n: Int!): [Int] @shareable\n  pet: Cat @shareable\n}\n',
    ),
]
EXTRA_SCENARIOS["nullability_mix"] = NULLABILITY_MIX
EXTRA_QUERIES["nullability_mix"] = "{ list(f: {a: 1, b: 2}, n: 3) pet { id } }"

# @provides as the only way to a field on some paths.
PROVIDES_PATH = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable", "@external", "@provides"')
        + 'type User @key(fields: "id", resolvable: false) { id: ID! name: String @external }\ntype Post { author: User @provides(fields: "name") }\ntype Query { posts: [Post] }',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@shareable", "@external", "@provides"')
        + 'type User @key(fields: "id") { id: ID! name: String @shareable email: String }',
    ),
]
EXTRA_SCENARIOS["provides_path"] = PROVIDES_PATH
PROVIDES_ONLY_NO_KEY = [
    SubgraphInput(
        "a",
        "http://a/graphql",
        fed2('"@key", "@shareable", "@external", "@provides"')
        + 'type Stat @key(fields: "id", resolvable: false) { id: ID! total: Int @external }\ntype Board { top: Stat @provides(fields: "total") }\ntype Query { board: Board }',
    ),
    SubgraphInput(
        "b",
        "http://b/graphql",
        fed2('"@key", "@shareable", "@external", "@provides"')
        + 'type Stat @key(fields: "id", resolvable: false) { id: ID! total: Int @shareable }\ntype Query { stat: Stat }',
    ),
]
EXTRA_SCENARIOS["provides_only_no_key"] = PROVIDES_ONLY_NO_KEY
EXTRA_QUERIES["provides_path"] = "{ posts { author { name email } } }"
EXTRA_QUERIES["provides_only_no_key"] = "{ board { top { total } } stat { total } }"
