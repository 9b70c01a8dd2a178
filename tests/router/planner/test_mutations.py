"""Mutations: root fields run strictly in document order; consecutive fields of one subgraph
share a fetch; entity fetches after a mutation field are queries."""

from __future__ import annotations

from tests.router.planner.helpers import expected, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph(
    {"LEDGER": "ledger", "NOTES": "notes"},
    '''
type Query @join__type(graph: LEDGER) @join__type(graph: NOTES) {
  balance: Int @join__field(graph: LEDGER)
}

type Mutation @join__type(graph: LEDGER) @join__type(graph: NOTES) {
  deposit(amount: Int!): Entry @join__field(graph: LEDGER)
  withdraw(amount: Int!): Entry @join__field(graph: LEDGER)
  annotate(text: String!): Boolean @join__field(graph: NOTES)
}

type Entry @join__type(graph: LEDGER, key: "id") @join__type(graph: NOTES, key: "id") {
  id: ID!
  amount: Int @join__field(graph: LEDGER)
  note: String @join__field(graph: NOTES)
}
''',
    mutation=True,
)


def test_mutation_fields_run_in_document_order_and_neighbours_share_a_fetch() -> None:
    text = plan_text(
        SDL,
        """
        mutation Move($n: Int!) {
          first: deposit(amount: $n) { amount }
          second: withdraw(amount: 1) { amount note }
          annotate(text: "moved")
          last: deposit(amount: 2) { id }
        }
        """,
    )
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Sequence {
              Fetch(service: "ledger") {
                mutation Move__ledger__0($n: Int!) { first: deposit(amount: $n) { amount } second: withdraw(amount: 1) { amount __typename id } }
              },
              Flatten(path: "second") {
                Fetch(service: "notes") {
                  { ... on Entry { __typename id } } =>
                  query Move__notes__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Entry { note } } }
                },
              },
            },
            Fetch(service: "notes") {
              mutation Move__notes__2 { annotate(text: "moved") }
            },
            Fetch(service: "ledger") {
              mutation Move__ledger__3 { last: deposit(amount: 2) { id } }
            },
          },
        }
        """
    )
