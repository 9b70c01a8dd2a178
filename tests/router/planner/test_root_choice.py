"""Choosing the graph of a shared root field: fewest fetches first; between graphs needing as
many fetches, the one that answers more of the selection itself (less moves between fetches)."""

from __future__ import annotations

from tests.router.planner.helpers import expected, plan_text
from tests.router.supergraph.sdl import supergraph

SDL = supergraph({"ARCHIVE": "archive", "BOOKSHOP": "bookshop", "PRICING": "pricing"}, '''
type Query @join__type(graph: ARCHIVE) @join__type(graph: BOOKSHOP) @join__type(graph: PRICING) {
  featured: Title @join__field(graph: ARCHIVE) @join__field(graph: BOOKSHOP)
}
type Title
  @join__type(graph: ARCHIVE, key: "isbn")
  @join__type(graph: BOOKSHOP, key: "isbn")
  @join__type(graph: PRICING, key: "isbn")
{
  isbn: ID!
  label: String @join__field(graph: BOOKSHOP) @join__field(graph: PRICING)
  cost: Int @join__field(graph: PRICING)
}
''')


def test_the_graph_answering_more_of_the_selection_wins_a_tie() -> None:
    # archive and bookshop both need one more fetch (pricing), but bookshop already has `label`
    text = plan_text(SDL, "{ featured { isbn label cost } }")
    assert text == expected(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "bookshop") {
              query { featured { isbn label __typename } }
            },
            Flatten(path: "featured") {
              Fetch(service: "pricing") {
                { ... on Title { __typename isbn } } =>
                query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Title { cost } } }
              },
            },
          },
        }
        """
    )


def test_fewer_fetches_still_come_first() -> None:
    # without `cost`, bookshop answers everything in one fetch; archive would need two
    text = plan_text(SDL, "{ featured { isbn label } }")
    assert text == expected(
        """
        QueryPlan {
          Fetch(service: "bookshop") {
            query { featured { isbn label } }
          },
        }
        """
    )


NODES = supergraph({"LOOKUP": "lookup", "OWNERS": "owners"}, '''
type Query @join__type(graph: LOOKUP) @join__type(graph: OWNERS) {
  find(id: ID!): Thing @join__field(graph: LOOKUP) @join__field(graph: OWNERS)
}
interface Thing @join__type(graph: LOOKUP) @join__type(graph: OWNERS) {
  id: ID!
}
type Gadget implements Thing
  @join__implements(graph: OWNERS, interface: "Thing")
  @join__type(graph: OWNERS, key: "id")
{
  id: ID!
  label: String
}
''')


def test_a_graph_knowing_the_implementations_beats_one_that_only_knows_the_interface() -> None:
    # lookup would need a second fetch to owners for `label` (it knows no Gadget)
    text = plan_text(NODES, '{ find(id: "1") { id ... on Gadget { label } } }')
    assert text == expected(
        """
        QueryPlan {
          Fetch(service: "owners") {
            query { find(id: "1") { __typename ... on Gadget { id label } } }
          },
        }
        """
    )
