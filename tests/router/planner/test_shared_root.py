"""Shared root fields and shared value types that no single subgraph completes: the field is
fetched from several subgraphs, each answering its part, and the results merge."""

from __future__ import annotations

from tests.router.planner.helpers import expected, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"NAME": "name", "CATEGORY": "category", "PRICE": "price"},
    """
type Query @join__type(graph: NAME) @join__type(graph: CATEGORY) @join__type(graph: PRICE) {
  product: Product!
  products: [Product!]!
  holder: Holder @join__field(graph: NAME)
}
type Product @join__type(graph: NAME) @join__type(graph: CATEGORY) @join__type(graph: PRICE) {
  id: ID!
  name: Name! @join__field(graph: NAME)
  category: String @join__field(graph: CATEGORY)
  price: Price @join__field(graph: PRICE)
}
type Name @join__type(graph: NAME) { id: ID! brand: String! model: String! }
type Price @join__type(graph: PRICE) { id: ID! amount: Int }
type Holder @join__type(graph: NAME, key: "id") @join__type(graph: PRICE, key: "id") {
  id: ID!
  product: Product @join__field(graph: NAME) @join__field(graph: PRICE)
}
""",
)


def test_a_shared_root_field_is_split_across_the_graphs_that_answer_its_parts() -> None:
    text = plan_text(SDL, "{ product { id name { brand } category price { amount } } products { id } }")
    assert text == expected(
        """
        QueryPlan {
          Parallel {
            Fetch(service: "name") {
              query { product { id name { brand } } products { id } }
            },
            Fetch(service: "category") {
              query { product { category } }
            },
            Fetch(service: "price") {
              query { product { price { amount } } }
            },
          },
        }
        """
    )


def test_a_nested_shared_value_type_is_completed_through_the_parent_entity() -> None:
    text = plan_text(SDL, "{ holder { product { name { model } price { amount } } } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "name") {
              query { holder { product { name { model } } __typename id } }
            },
            Flatten(path: "holder") {
              Fetch(service: "price") {
                { ... on Holder { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Holder { product { price { amount } } } } }
              },
            },
          },
        }
        """
    )


PARENT = supergraph(
    {"A": "a", "B": "b", "C": "c", "D": "d"},
    """
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) @join__type(graph: D) {
  bike(id: ID!): Bike @join__field(graph: D)
}
type Bike @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: D, key: "id") {
  id: ID @join__field(graph: A, external: true) @join__field(graph: B) @join__field(graph: D)
  title: String @join__field(graph: D)
  brand: Brand @join__field(graph: A) @join__field(graph: B)
}
type Brand @join__type(graph: A) @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  story: String @join__field(graph: A)
  id: ID @join__field(graph: B) @join__field(graph: C)
  title: String @join__field(graph: C)
}
""",
)


def test_a_shareable_field_is_split_between_parents_that_each_complete_a_part() -> None:
    # Bike.brand lives in "a" (a value type with only `story`) and "b" (an entity with `id`,
    # whose `title` then comes from "c"): no single graph completes brand { id title story }.
    text = plan_text(PARENT, '{ bike(id: "1") { id title brand { id title story } } }')
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "d") {
              query { bike(id: "1") { id title __typename } }
            },
            Parallel {
              Sequence {
                Flatten(path: "bike") {
                  Fetch(service: "b") {
                    { ... on Bike { __typename id } } =>
                    query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Bike { brand { id __typename } } } }
                  },
                },
                Flatten(path: "bike.brand") {
                  Fetch(service: "c") {
                    { ... on Brand { __typename id } } =>
                    query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Brand { title } } }
                  },
                },
              },
              Flatten(path: "bike") {
                Fetch(service: "a") {
                  { ... on Bike { __typename id } } =>
                  query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Bike { brand { story } } } }
                },
              },
            },
          },
        }
        """
    )


ENTITY = supergraph(
    {"CATEGORY": "category", "NAME": "name", "PRICE": "price"},
    """
type Query @join__type(graph: CATEGORY) @join__type(graph: NAME) @join__type(graph: PRICE) {
  product: Product
  only: Product @join__field(graph: NAME)
}
type Product @join__type(graph: CATEGORY, key: "id") @join__type(graph: NAME, key: "id")
  @join__type(graph: PRICE, key: "id") {
  id: ID!
  category: String @join__field(graph: CATEGORY)
  name: String @join__field(graph: NAME)
  price: Float @join__field(graph: PRICE)
}
""",
)


def test_a_shareable_root_entity_is_fetched_from_each_graph_in_parallel_not_through_entity_calls() -> None:
    # Each graph resolves `product` itself: no sequential step, no more fetches than a root
    # fetch followed by two entity fetches.
    text = plan_text(ENTITY, "{ product { id name category price } }")
    assert text == expected(
        """
        QueryPlan {
          Parallel {
            Fetch(service: "category") {
              query { product { id category } }
            },
            Fetch(service: "name") {
              query { product { name } }
            },
            Fetch(service: "price") {
              query { product { price } }
            },
          },
        }
        """
    )


def test_a_root_field_one_graph_completes_is_still_fetched_once() -> None:
    text = plan_text(ENTITY, "{ product { id name } }")
    assert text == expected(
        """
        QueryPlan {
          Fetch(service: "name") {
            query { product { id name } }
          },
        }
        """
    )


def test_a_root_field_of_a_single_graph_still_jumps_through_the_entity_key() -> None:
    text = plan_text(ENTITY, "{ only { name price } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "name") {
              query { only { name __typename id } }
            },
            Flatten(path: "only") {
              Fetch(service: "price") {
                { ... on Product { __typename id } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { price } } }
              },
            },
          },
        }
        """
    )
