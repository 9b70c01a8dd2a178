"""The training SDL: federation entities, and composition with the repository's supergraph.yaml."""

from __future__ import annotations

from pathlib import Path

from schema.artifacts import compose_config
from schema.config import load_config
from subgraphs.training.schema import create_schema
from tests.subgraphs.training.harness import Harness

ROOT = Path(__file__).resolve().parents[3]


def test_sdl_declares_the_entities() -> None:
    sdl = create_schema().as_str()
    assert 'type Workout @key(fields: "id")' in sdl
    assert 'type User @key(fields: "id")' in sdl
    for field in ("workouts(", "personalRecords:", "activePlan:", "goals:", "privacyZones:"):
        assert field in sdl


async def test_service_sdl_is_served(training: Harness) -> None:
    data = await training.ok("{ _service { sdl } }")
    assert 'type Workout @key(fields: "id")' in data["_service"]["sdl"]


async def test_composes_with_the_users_subgraph() -> None:
    config = load_config(ROOT / "supergraph.yaml")
    # Users owns User; composing just the two keeps this test about training's own schema.
    config.subgraphs = {name: sub for name, sub in config.subgraphs.items() if name in ("users", "training")}
    composed = await compose_config(config)
    assert composed.result.errors == []
    assert composed.result.supergraph_sdl is not None
    assert "syncWorkouts" in composed.result.supergraph_sdl
