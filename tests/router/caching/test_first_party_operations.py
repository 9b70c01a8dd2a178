"""FitGraph's first-party operations and export queries fit the supergraph composed from the
real subgraphs (supergraph.yaml): a renamed field fails here, not in a client."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema

from router.exports.definitions import columns_for, load_exports
from router.supergraph import load_supergraph
from schema.artifacts import compose_config
from schema.config import load_config
from schema.operations.manifest import DEFAULT_DIRECTORY, build_manifest

_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
async def api_schema() -> GraphQLSchema:
    composed = await compose_config(load_config(_ROOT / "supergraph.yaml"))
    return load_supergraph(composed.result.unwrap()).api_schema


def test_every_first_party_operation_validates(api_schema: GraphQLSchema) -> None:
    manifest = build_manifest(schema=api_schema)
    assert len(manifest["operations"]) >= 6


def test_every_export_validates_and_has_columns(api_schema: GraphQLSchema) -> None:
    exports = load_exports(DEFAULT_DIRECTORY.parent / "exports")
    columns = {name: [c.name for c in columns_for(d, api_schema)] for name, d in exports.items()}
    assert "startTime" in columns["my-workouts"] and "createdAt" in columns["users"]
