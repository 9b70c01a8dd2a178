"""A small shop split over four test subgraphs, used by the executor tests with hand-built plans.

accounts: User(id, name, username) · products: Product(upc, name, price, weight), topProducts
reviews: Product.reviews, User.reviews, Review(id, body, author) · inventory: Product.inStock and
Product.shippingEstimate @requires(price weight).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, build_schema

from tests.router.support.subgraph import TestSubgraph

__all__ = ["API_SDL", "api_schema", "make_subgraphs"]

API_SDL = """
type Query {
  me: User
  users: [User!]!
  topProducts(first: Int = 5): [Product!]!
  product(upc: String!): Product
  search: [SearchResult!]!
}
type Mutation { rename(id: ID!, name: String!): User }
type User { id: ID! name: String! username: String reviews: [Review!]! }
type Product { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int
  reviews: [Review!]! category: Category }
type Review { id: ID! body: String! author: User rating: Int! }
enum Category { BOOKS GAMES }
union SearchResult = User | Product
"""

USERS: dict[str, dict[str, Any]] = {
    "1": {"id": "1", "name": "Ada", "username": "ada"},
    "2": {"id": "2", "name": "Grace", "username": "grace"},
}
PRODUCTS: list[dict[str, Any]] = [
    {"upc": "p1", "name": "Table", "price": 899, "weight": 100, "category": "GAMES"},
    {"upc": "p2", "name": "Couch", "price": 1299, "weight": 1000, "category": "BOOKS"},
    {"upc": "p3", "name": "Chair", "price": 54, "weight": 50, "category": "SECRET"},
]
REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "body": "Love it", "product": "p1", "author": "1", "rating": 5},
    {"id": "r2", "body": "Too big", "product": "p1", "author": "2", "rating": 2},
    {"id": "r3", "body": "Comfy", "product": "p2", "author": "1", "rating": 4},
    {"id": "r4", "body": "Ghost", "product": "p2", "author": None, "rating": None},
]


def api_schema() -> GraphQLSchema:
    return build_schema(API_SDL)


def _review(review: dict[str, Any]) -> dict[str, Any]:
    author = {"__typename": "User", "id": review["author"]} if review["author"] else None
    return {**review, "__typename": "Review", "author": author}


def _user(rep: dict[str, Any]) -> dict[str, Any] | None:
    user = USERS.get(rep["id"])
    return {"__typename": "User", **user} if user else None


def make_subgraphs() -> dict[str, TestSubgraph]:
    accounts = TestSubgraph(
        """
        type Query { me: User users: [User!]! }
        type Mutation { rename(id: ID!, name: String!): User }
        type User @key(fields: "id") { id: ID! name: String! username: String }
        """,
        resolvers={
            "Query.me": lambda _r, _i: {"__typename": "User", **USERS["1"]},
            "Query.users": lambda _r, _i: [{"__typename": "User", **u} for u in USERS.values()],
            "Mutation.rename": lambda _r, _i, id, name: {"__typename": "User", "id": id, "name": name},
        },
        entities={"User": _user},
    )
    products = TestSubgraph(
        """
        enum Category { BOOKS GAMES SECRET }
        type Query { topProducts(first: Int = 5): [Product!]! product(upc: String!): Product
          search: [SearchResult!]! }
        union SearchResult = User | Product
        type User @key(fields: "id", resolvable: false) { id: ID! }
        type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int category: Category }
        """,
        resolvers={
            "Query.topProducts": lambda _r, _i, first=5: [
                {"__typename": "Product", **p} for p in PRODUCTS[:first]
            ],
            "Query.product": lambda _r, _i, upc: next(
                ({"__typename": "Product", **p} for p in PRODUCTS if p["upc"] == upc), None
            ),
            "Query.search": lambda _r, _i: [
                {"__typename": "Product", **PRODUCTS[0]},
                {"__typename": "User", "id": "2"},
            ],
        },
        entities={
            "Product": lambda rep: next(
                ({"__typename": "Product", **p} for p in PRODUCTS if p["upc"] == rep["upc"]), None
            )
        },
    )
    reviews = TestSubgraph(
        """
        type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
        type User @key(fields: "id") { id: ID! reviews: [Review!]! }
        type Review { id: ID! body: String! author: User rating: Int }
        """,
        resolvers={
            "User.reviews": lambda user, _i: (
                user.get("reviews") or [_review(r) for r in REVIEWS if r["author"] == user["id"]]
            )
        },
        entities={
            "Product": lambda rep: {
                "__typename": "Product",
                "upc": rep["upc"],
                "reviews": [_review(r) for r in REVIEWS if r["product"] == rep["upc"]],
            },
            "User": lambda rep: {
                "__typename": "User",
                "id": rep["id"],
                "reviews": [_review(r) for r in REVIEWS if r["author"] == rep["id"]],
            },
        },
    )

    def _inventory(rep: dict[str, Any]) -> dict[str, Any]:
        entity = {"__typename": "Product", "upc": rep["upc"], "inStock": rep["upc"] != "p3"}
        if "price" in rep:  # the router sent the @requires fields
            if rep["upc"] == "p2":
                raise ValueError("inventory unavailable for p2")
            entity["shippingEstimate"] = 0 if rep["price"] > 500 else rep["weight"] // 2
        return entity

    inventory = TestSubgraph(
        """
        type Product @key(fields: "upc") { upc: String! price: Int @external weight: Int @external
          inStock: Boolean shippingEstimate: Int @requires(fields: "price weight") }
        """,
        entities={"Product": _inventory},
    )
    return {"accounts": accounts, "products": products, "reviews": reviews, "inventory": inventory}


SUPERGRAPH_SDL = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
  mutation: Mutation
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://127.0.0.1:9/accounts")
  INVENTORY @join__graph(name: "inventory", url: "http://127.0.0.1:9/inventory")
  PRODUCTS @join__graph(name: "products", url: "http://127.0.0.1:9/products")
  REVIEWS @join__graph(name: "reviews", url: "http://127.0.0.1:9/reviews")
}

type Query
  @join__type(graph: ACCOUNTS) @join__type(graph: INVENTORY) @join__type(graph: PRODUCTS) @join__type(graph: REVIEWS)
{
  me: User @join__field(graph: ACCOUNTS)
  users: [User!]! @join__field(graph: ACCOUNTS)
  topProducts(first: Int = 5): [Product!]! @join__field(graph: PRODUCTS)
  product(upc: String!): Product @join__field(graph: PRODUCTS)
  search: [SearchResult!]! @join__field(graph: PRODUCTS)
}

type Mutation @join__type(graph: ACCOUNTS) {
  rename(id: ID!, name: String!): User @join__field(graph: ACCOUNTS)
}

type User
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: PRODUCTS, key: "id", resolvable: false)
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  username: String @join__field(graph: ACCOUNTS)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Product
  @join__type(graph: INVENTORY, key: "upc")
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: REVIEWS, key: "upc")
{
  upc: String!
  name: String @join__field(graph: PRODUCTS)
  price: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  weight: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  category: Category @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Review @join__type(graph: REVIEWS) {
  id: ID!
  body: String!
  author: User
  rating: Int! @join__field(graph: REVIEWS, type: "Int")
}

enum Category @join__type(graph: PRODUCTS) {
  BOOKS @join__enumValue(graph: PRODUCTS)
  GAMES @join__enumValue(graph: PRODUCTS)
  SECRET @inaccessible @join__enumValue(graph: PRODUCTS)
}

union SearchResult
  @join__type(graph: PRODUCTS)
  @join__unionMember(graph: PRODUCTS, member: "User")
  @join__unionMember(graph: PRODUCTS, member: "Product")
  = User | Product
"""
