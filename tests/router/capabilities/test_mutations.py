"""Mutations: root fields run strictly in document order across subgraphs, each completed (entity
jumps included) before the next one starts (GraphQL spec §6.2.2, serial execution)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.router.support.federation import Federation, federation
from tests.router.support.subgraph import TestSubgraph

SUPERGRAPH = """
type Query @join__type(graph: COUNTER) @join__type(graph: AUDIT) {
  value: Int! @join__field(graph: COUNTER)
}
type Mutation @join__type(graph: COUNTER) @join__type(graph: AUDIT) {
  add(by: Int!): Counter! @join__field(graph: COUNTER)
  double: Counter! @join__field(graph: AUDIT)
}
type Counter @join__type(graph: COUNTER, key: "id") @join__type(graph: AUDIT, key: "id") {
  id: ID!
  value: Int! @join__field(graph: COUNTER)
  history: [String!]! @join__field(graph: AUDIT)
}
"""


def _subgraphs(state: dict[str, Any]) -> dict[str, TestSubgraph]:
    def add(_r: Any, _i: Any, by: int) -> dict[str, Any]:
        state["value"] += by
        state["log"].append(f"add {by}")
        return {"__typename": "Counter", "id": "c", "value": state["value"]}

    def double(_r: Any, _i: Any) -> dict[str, Any]:
        state["value"] *= 2
        state["log"].append("double")
        return {"__typename": "Counter", "id": "c"}

    counter = TestSubgraph(
        """
        type Query { value: Int! }
        type Mutation { add(by: Int!): Counter! }
        type Counter @key(fields: "id") { id: ID! value: Int! }
        """,
        resolvers={"Query.value": lambda _r, _i: state["value"], "Mutation.add": add},
        entities={"Counter": lambda rep: {"__typename": "Counter", "id": rep["id"], "value": state["value"]}},
    )
    audit = TestSubgraph(
        """
        type Mutation { double: Counter! }
        type Counter @key(fields: "id") { id: ID! history: [String!]! }
        """,
        resolvers={"Mutation.double": double},
        entities={
            "Counter": lambda rep: {"__typename": "Counter", "id": rep["id"], "history": list(state["log"])}
        },
    )
    return {"counter": counter, "audit": audit}


@pytest.fixture(scope="module")
async def fed_state() -> AsyncIterator[tuple[Federation, dict[str, Any]]]:
    state: dict[str, Any] = {"value": 0, "log": []}
    async with federation(_subgraphs(state), SUPERGRAPH) as running:
        yield running, state


async def test_root_mutation_fields_run_in_document_order(
    fed_state: tuple[Federation, dict[str, Any]],
) -> None:
    fed, state = fed_state
    state.update(value=1, log=[])
    body = await fed.query(
        """mutation Steps($n: Int!) {
          first: add(by: $n) { value }
          second: double { value }
          third: add(by: 1) { value history }
        }""",
        {"n": 2},
    )
    assert state["log"] == ["add 2", "double", "add 1"]
    assert body == {
        "data": {
            "first": {"value": 3},
            # Each root field is completed (its entity jump included) before the next one runs.
            "second": {"value": 6},
            "third": {"value": 7, "history": ["add 2", "double", "add 1"]},
        }
    }
