"""Entity references whose key fields are null (or that a subgraph could not resolve) are never
sent; the fields they would have provided resolve to null, without an error when nullable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: SHELF) @join__type(graph: IDS) @join__type(graph: AUTHORS) {
  slots: [Slot] @join__field(graph: SHELF)
}
type Slot @join__type(graph: SHELF) {
  book: Book
}
type Book
  @join__type(graph: SHELF, key: "upc")
  @join__type(graph: IDS, key: "upc")
  @join__type(graph: IDS, key: "id")
  @join__type(graph: AUTHORS, key: "id")
{
  upc: ID! @join__field(graph: SHELF) @join__field(graph: IDS)
  id: ID! @join__field(graph: IDS) @join__field(graph: AUTHORS)
  author: Author @join__field(graph: AUTHORS)
}
type Author @join__type(graph: AUTHORS) {
  name: String
}
"""

IDS = {"u1": "1", "u2": "2"}  # "u3" exists on the shelf only: the ids subgraph resolves it to null


def _subgraphs() -> dict[str, TestSubgraph]:
    shelf = TestSubgraph(
        """
        type Query { slots: [Slot] }
        type Slot { book: Book }
        type Book @key(fields: "upc") { upc: ID! }
        """,
        resolvers={
            "Query.slots": lambda _r, _i: (
                [{"book": {"__typename": "Book", "upc": upc}} for upc in ("u1", "u2", "u3", "u1")]
                + [{"book": None}]
            )
        },
    )
    ids = TestSubgraph(
        'type Book @key(fields: "id") @key(fields: "upc") { id: ID! upc: ID! }',
        entities={
            "Book": lambda rep: (
                {"__typename": "Book", "upc": rep["upc"], "id": IDS[rep["upc"]]}
                if rep.get("upc") in IDS
                else None
            )
        },
    )
    authors = TestSubgraph(
        """
        type Book @key(fields: "id") { id: ID! author: Author }
        type Author { name: String }
        """,
        entities={
            "Book": lambda rep: {
                "__typename": "Book",
                "id": rep["id"],
                "author": {"name": f"Author {rep['id']}"},
            }
        },
    )
    return {"shelf": shelf, "ids": ids, "authors": authors}


@pytest.fixture(scope="module")
async def fed() -> AsyncIterator[Federation]:
    async with federation(_subgraphs(), SUPERGRAPH) as running:
        yield running


async def test_unresolvable_references_are_skipped_and_resolve_to_null(fed: Federation) -> None:
    fed.reset()
    body = await fed.query("{ slots { book { upc author { name } } } }")
    assert body == {
        "data": {
            "slots": [
                {"book": {"upc": "u1", "author": {"name": "Author 1"}}},
                {"book": {"upc": "u2", "author": {"name": "Author 2"}}},
                {"book": {"upc": "u3", "author": None}},
                {"book": {"upc": "u1", "author": {"name": "Author 1"}}},
                {"book": None},
            ]
        }
    }
    # Deduplicated (u1 twice), null book never sent; u3 has no id so authors never sees it.
    assert fed.subgraphs["ids"].representations == [
        {"__typename": "Book", "upc": "u1"},
        {"__typename": "Book", "upc": "u2"},
        {"__typename": "Book", "upc": "u3"},
    ]
    assert fed.subgraphs["authors"].representations == [
        {"__typename": "Book", "id": "1"},
        {"__typename": "Book", "id": "2"},
    ]
