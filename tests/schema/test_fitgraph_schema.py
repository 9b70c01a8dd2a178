"""FitGraph's own supergraph: the committed artifacts are fresh, and independent composers agree.

When this fails after a subgraph change, run `fitgraph compose` and commit schema/."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.api_schema import api_schema_sdl, normalized_sdl
from schema.artifacts import Composed, compose_config, stale_artifacts
from schema.config import load_config
from schema.crosscheck import apollo_compose_many, apollo_load_many, ensure_node_composer, node_compose_many

_ROOT = Path(__file__).resolve().parents[2]
_SUPERGRAPH = _ROOT / "schema" / "supergraph.graphql"
_SUBGRAPHS = _ROOT / "schema" / "subgraphs"


@pytest.fixture(scope="module")
async def composed() -> Composed:
    return await compose_config(load_config(_ROOT / "supergraph.yaml"))


@pytest.fixture(scope="module")
def node_modules() -> Path:
    return ensure_node_composer(_ROOT / ".fitgraph" / "node")


def test_fitgraph_composes(composed: Composed) -> None:
    assert composed.result.ok, "\n".join(str(e) for e in composed.result.errors)
    assert [s.name for s in composed.subgraphs] == ["users", "training"]


def test_committed_artifacts_are_fresh(composed: Composed) -> None:
    stale = stale_artifacts(composed, _SUPERGRAPH, _SUBGRAPHS)

    assert not stale, (
        "schema artifacts are stale: "
        + ", ".join(str(p.relative_to(_ROOT)) for p in stale)
        + ". Run `fitgraph compose` and commit schema/."
    )


def _as_join_v03(apollo_sdl: str) -> str:
    """Apollo prints join v0.4 for federation 2.7 subgraphs; drop what v0.3 does not have."""
    dropped = (
        "directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) "
        "repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION\n\n",
        "scalar join__DirectiveArguments\n\n",
    )
    for text in dropped:
        apollo_sdl = apollo_sdl.replace(text, "")
    return apollo_sdl.replace("join/v0.4", "join/v0.3").replace(", overrideLabel: String)", ")")


def test_independent_composers_agree(composed: Composed, node_modules: Path) -> None:
    ours = composed.result.unwrap()
    guild = node_compose_many({"fitgraph": composed.subgraphs}, node_modules)["fitgraph"]
    apollo = apollo_compose_many({"fitgraph": composed.subgraphs}, node_modules)["fitgraph"]

    assert guild.errors == [] and guild.public_sdl is not None
    assert normalized_sdl(api_schema_sdl(guild.public_sdl)) == normalized_sdl(api_schema_sdl(ours))
    assert apollo.errors == [] and apollo.supergraph_sdl is not None
    # Byte for byte Apollo's supergraph, apart from the join v0.4 machinery it adds.
    assert _as_join_v03(apollo.supergraph_sdl) == ours


def test_apollo_router_feature_set_loads_the_committed_supergraph(node_modules: Path) -> None:
    sdl = _SUPERGRAPH.read_text(encoding="utf-8")
    loaded = apollo_load_many({"fitgraph": (sdl, ["{ __typename }"])}, node_modules)["fitgraph"]

    assert loaded.error is None
    assert loaded.api_sdl is not None
    assert normalized_sdl(loaded.api_sdl) == normalized_sdl(api_schema_sdl(sdl))
