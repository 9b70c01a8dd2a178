"""Cross-check with The Guild's tools under Node: their composer (@theguild/federation-composition)
gives the same API schema and fails the same broken subgraphs with the same code, and Hive
Gateway's supergraph loader (@graphql-tools/federation) serves our supergraphs' API schema.

The npm packages are installed on first use into `.fitgraph/node/` (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import Node, Visitor, parse, print_ast, visit

from schema.api_schema import api_schema_sdl, normalized_sdl
from schema.compose import compose
from schema.crosscheck import (
    HiveLoad,
    NodeComposition,
    ensure_node_composer,
    hive_load_many,
    node_compose_many,
)
from tests.schema.compose.error_cases import ERROR_CASES
from tests.schema.compose.scenarios import SCENARIOS

_PREFIX = Path(__file__).resolve().parents[3] / ".fitgraph" / "node"


# Where the two references part ways we follow Apollo (checked byte for byte elsewhere): on
# conflicting descriptions Apollo keeps the most common one, the Guild the first; a default
# value only some subgraphs declare Apollo drops, the Guild keeps.
_DESCRIPTIONS_DIFFER = {"descriptions_and_defaults"}
_DISPUTED = ("description", "default_value")


def _without_descriptions(sdl: str) -> str:
    """The SDL without descriptions and default values."""

    class _Strip(Visitor):
        def enter(self, node: Node, *_: object) -> Node | None:
            if all(getattr(node, key, None) is None for key in _DISPUTED):
                return None
            fields = {key: getattr(node, key) for key in node.keys if key not in _DISPUTED}
            return type(node)(**fields)

    return print_ast(visit(parse(sdl), _Strip()))


@pytest.fixture(scope="module")
def theirs() -> dict[str, NodeComposition]:
    """Every scenario and error case composed by the Node library in one process."""
    modules = ensure_node_composer(_PREFIX)
    batch = {f"scenario:{name}": subgraphs for name, subgraphs in SCENARIOS.items()}
    batch.update({f"error:{name}": case.subgraphs for name, case in ERROR_CASES.items()})
    return node_compose_many(batch, modules)


@pytest.mark.parametrize("name", SCENARIOS)
def test_api_schema_equals_the_independent_composer(name: str, theirs: dict[str, NodeComposition]) -> None:
    ours = compose(SCENARIOS[name]).unwrap()
    other = theirs[f"scenario:{name}"]

    assert other.errors == []
    assert other.public_sdl is not None
    # Directive definitions aside (the Guild keeps @composeDirective ones; Apollo does not).
    ours_api, their_api = api_schema_sdl(ours), api_schema_sdl(other.public_sdl)
    if name in _DESCRIPTIONS_DIFFER:
        ours_api, their_api = _without_descriptions(ours_api), _without_descriptions(their_api)
    assert normalized_sdl(ours_api) == normalized_sdl(their_api)


@pytest.mark.parametrize("name", [name for name, case in ERROR_CASES.items() if case.node_rejects])
def test_broken_subgraphs_fail_with_the_same_code(name: str, theirs: dict[str, NodeComposition]) -> None:
    case = ERROR_CASES[name]
    ours = {error.code for error in compose(case.subgraphs).errors}
    other = {str(error["code"]) for error in theirs[f"error:{name}"].errors}

    assert case.code in ours
    assert case.code in other


@pytest.fixture(scope="module")
def hive() -> dict[str, HiveLoad]:
    modules = ensure_node_composer(_PREFIX)
    return hive_load_many(
        {name: compose(subgraphs).unwrap() for name, subgraphs in SCENARIOS.items()}, modules
    )


# Hive serves one subgraph's type (Cat) for a shareable field whose supergraph type is the
# interface both subgraphs' types fit (Pet); Apollo and we keep the interface.
_HIVE_DIFFERS = {"nullability_mix": ("  pet: Pet\n", "  pet: Cat\n")}


@pytest.mark.parametrize("name", SCENARIOS)
def test_hive_gateway_loads_our_supergraph(name: str, hive: dict[str, HiveLoad]) -> None:
    loaded = hive[name]

    assert loaded.error is None
    assert loaded.api_sdl is not None
    served = loaded.api_sdl
    ours = api_schema_sdl(compose(SCENARIOS[name]).unwrap())
    if name in _HIVE_DIFFERS:
        ours_line, hive_line = _HIVE_DIFFERS[name]
        assert ours_line in ours and hive_line in served
        served = served.replace(hive_line, ours_line)
    # Hive also exposes the authz/cost directive definitions; the API types must be ours.
    assert normalized_sdl(api_schema_sdl(served)) == normalized_sdl(ours)
