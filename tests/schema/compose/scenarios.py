"""Subgraph sets that must compose, shared by the composition and cross-check tests."""

from __future__ import annotations

from schema.compose import SubgraphInput
from tests.schema.compose.scenarios_extra import EXTRA_QUERIES, EXTRA_SCENARIOS
from tests.schema.compose.support import fed2

__all__ = ["SCENARIOS"]


ENTITIES_ACROSS_THREE = [
    SubgraphInput(
        "accounts",
        "http://accounts:4001/graphql",
        fed2('"@key", "@shareable"')
        + '''
"""A registered member."""
type User @key(fields: "id") {
  id: ID!
  "Display name"
  name: String @shareable
  email: String!
}
type Query {
  me: User
  user(id: ID!): User
}
''',
    ),
    SubgraphInput(
        "workouts",
        "http://workouts:4002/graphql",
        fed2('"@key", "@external", "@requires", "@provides", "@shareable"')
        + """
type User @key(fields: "id") {
  id: ID!
  name: String @external
  workouts(limit: Int = 20): [Workout!]!
  greeting: String @requires(fields: "name")
}
type Workout @key(fields: "id") {
  id: ID!
  title: String!
  author: User @provides(fields: "name")
  durationSeconds: Int!
}
type Query {
  workout(id: ID!): Workout
}
""",
    ),
    SubgraphInput(
        "reviews",
        "http://reviews:4003/graphql",
        fed2('"@key", "@shareable"')
        + """
type Workout @key(fields: "id") {
  id: ID!
  reviews: [Review!]!
  averageRating: Float
}
type Review {
  id: ID!
  stars: Int!
  body: String
  author: User
}
type User @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    ),
]

INTERFACES_AND_UNIONS = [
    SubgraphInput(
        "catalog",
        "http://catalog/graphql",
        fed2('"@key", "@shareable"')
        + """
interface Activity { id: ID! name: String! }
type Run implements Activity @key(fields: "id") { id: ID! name: String! distanceKm: Float! }
type Swim implements Activity @key(fields: "id") { id: ID! name: String! laps: Int! }
union SearchResult = Run | Swim
type Query { activities: [Activity!]! search(term: String!): [SearchResult!]! }
""",
    ),
    SubgraphInput(
        "stats",
        "http://stats/graphql",
        fed2('"@key"')
        + """
type Run @key(fields: "id") { id: ID! calories: Int }
type Swim @key(fields: "id") { id: ID! calories: Int }
type Ride @key(fields: "id") { id: ID! watts: Int }
union Burner = Run | Swim | Ride
type Query { topBurners: [Burner!]! }
""",
    ),
]

ENUMS_INPUTS_SHAREABLE = [
    SubgraphInput(
        "plans",
        "http://plans/graphql",
        fed2('"@key", "@shareable"')
        + """
enum Level { BEGINNER INTERMEDIATE ADVANCED }
enum Sort { NEWEST OLDEST }
enum Visibility { PUBLIC PRIVATE }
input PlanFilter { level: Level, limit: Int = 10, tag: String }
type Money @shareable { amount: Int! currency: String! }
type Plan @key(fields: "id") { id: ID! price: Money visibility: Visibility @shareable }
type Query { plans(filter: PlanFilter, sort: Sort = NEWEST): [Plan!]! }
""",
    ),
    SubgraphInput(
        "coaching",
        "http://coaching/graphql",
        fed2('"@key", "@shareable"')
        + """
enum Level { BEGINNER ADVANCED ELITE }
enum Sort { NEWEST POPULAR }
enum Visibility { PUBLIC UNLISTED }
input PlanFilter { level: Level, limit: Int = 10, coach: ID }
type Money @shareable { amount: Int! currency: String! }
type Plan @key(fields: "id") { id: ID! coachName: String fee: Money visibility: Visibility @shareable }
type Query { coachedPlans(filter: PlanFilter, sort: Sort): [Plan!]! }
""",
    ),
]

OVERRIDE_AND_TYPES = [
    SubgraphInput(
        "legacy",
        "http://legacy/graphql",
        fed2('"@key", "@shareable"')
        + """
type Member @key(fields: "id") { id: ID! points: Int tier: String nickname: String @shareable }
type Query { member(id: ID!): Member }
""",
    ),
    SubgraphInput(
        "loyalty",
        "http://loyalty/graphql",
        fed2('"@key", "@override", "@shareable"')
        + """
type Member @key(fields: "id") { id: ID! points: Int @override(from: "legacy") nickname: String! @shareable }
type Query { members: [Member!]! @shareable }
""",
    ),
    SubgraphInput(
        "profile",
        "http://profile/graphql",
        fed2('"@key", "@override", "@shareable"')
        + """
type Member @key(fields: "id") { id: ID! bio: String moved: String @override(from: "gone") }
type Query { members: [Member!] @shareable }
""",
    ),
]

FEDERATION_1 = [
    SubgraphInput(
        "users",
        "http://users/graphql",
        """
type User @key(fields: "id") { id: ID! username: String }
type Query { me: User }
""",
    ),
    SubgraphInput(
        "posts",
        "http://posts/graphql",
        """
extend type User @key(fields: "id") { id: ID! @external posts: [Post] }
type Post @key(fields: "id") { id: ID! title: String author: User }
extend type Query { latestPosts: [Post] }
""",
    ),
]

INTERFACE_OBJECT_AND_AUTHZ = [
    SubgraphInput(
        "content",
        "http://content/graphql",
        fed2('"@key", "@tag", "@inaccessible", "@authenticated", "@requiresScopes"', 5)
        + """
interface Media @key(fields: "id") { id: ID! title: String! }
type Video implements Media @key(fields: "id") { id: ID! title: String! seconds: Int }
type Photo implements Media @key(fields: "id") { id: ID! title: String! @tag(name: "public") width: Int }
type Query {
  media: [Media!]! @authenticated
  internalMetrics: Int @inaccessible
  admin: String @requiresScopes(scopes: [["admin"]])
}
""",
    ),
    SubgraphInput(
        "likes",
        "http://likes/graphql",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", '
        'import: ["@key", "@interfaceObject", {name: "@policy", as: "@rule"}, "@inaccessible"])\n'
        + """
type Media @key(fields: "id") @interfaceObject { id: ID! likes: Int! @rule(policies: [["likes:read"]]) secretScore: Int @inaccessible }
type Query { trending: [Media!]! }
""",
    ),
]

SCENARIOS: dict[str, list[SubgraphInput]] = {
    "entities_across_three": ENTITIES_ACROSS_THREE,
    "interfaces_and_unions": INTERFACES_AND_UNIONS,
    "enums_inputs_shareable": ENUMS_INPUTS_SHAREABLE,
    "override_and_types": OVERRIDE_AND_TYPES,
    "federation_1": FEDERATION_1,
    "interface_object_and_authz": INTERFACE_OBJECT_AND_AUTHZ,
}

DIRECTIVES_EVERYWHERE = [
    SubgraphInput(
        "billing",
        "http://billing/graphql",
        fed2('"@key", "@tag", "@inaccessible", "@authenticated", "@cost", "@listSize", "@shareable"', 9)
        + """
type Invoice @key(fields: "id") @tag(name: "finance") @authenticated {
  id: ID!
  total(currency: String = "EUR" @tag(name: "arg")): Int @cost(weight: 3)
  lines(first: Int): [String!] @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
  legacyCode: String @deprecated(reason: "use id")
}
enum Currency @tag(name: "money") { EUR @tag(name: "default") USD GBP @inaccessible }
input InvoiceFilter @tag(name: "filter") { currency: Currency @tag(name: "cur") minTotal: Int = 0 }
scalar Money @specifiedBy(url: "https://example.com/money")
type Query {
  invoices(filter: InvoiceFilter): [Invoice!]! @listSize(assumedSize: 50)
  balance: Money @tag(name: "finance") @shareable
  secretReport: String @inaccessible
}
""",
    ),
    SubgraphInput(
        "audit",
        "http://audit/graphql",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", '
        'import: ["@key", "@tag", "@shareable"])\n'
        + """
scalar Money
type Invoice @key(fields: "id") @tag(name: "audit") { id: ID! auditedAt: String @tag(name: "audit") }
type Query { balance: Money @shareable }
""",
    ),
]
SCENARIOS["directives_everywhere"] = DIRECTIVES_EVERYWHERE

# One client operation per scenario that crosses subgraphs (planned by Apollo's query planner).
SCENARIO_QUERIES: dict[str, str] = {
    "entities_across_three": "{ me { name greeting workouts { title reviews { stars author { id } } } } }",
    "interfaces_and_unions": "{ activities { name ... on Run { calories } } topBurners { ... on Swim { laps } } }",
    "enums_inputs_shareable": "{ plans(filter: {level: BEGINNER, limit: 5}) { price { amount } coachName } }",
    "override_and_types": "{ member(id: 1) { points tier nickname bio } }",
    "federation_1": "{ me { username posts { title author { username } } } }",
    "interface_object_and_authz": "{ media { title likes ... on Video { seconds } } trending { likes title } }",
    "directives_everywhere": "{ invoices { total auditedAt lines(first: 2) } balance }",
}

SCENARIOS.update(EXTRA_SCENARIOS)
SCENARIO_QUERIES.update(EXTRA_QUERIES)
