"""`fitgraph operations manifest` and the committed first-party operations."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
from graphql import FragmentDefinitionNode, parse
from typer.testing import CliRunner

from cli import app
from router.stages.trusted import load_manifest
from schema.operations.manifest import DEFAULT_DIRECTORY, build_manifest

_FILES = {
    "a.graphql": """
fragment Core on Product { id name }
query One($id: ID!) { product(id: $id) { ...Core ...More } }
fragment More on Product { price }
""",
    "b.graphql": 'mutation Add { addProduct(name: "x") { ...Core } }',
}


def test_manifest_command_writes_self_contained_bodies_keyed_by_sha256(tmp_path: Path) -> None:
    for name, text in _FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    output = tmp_path / "out" / "manifest.json"
    output.parent.mkdir()
    result = CliRunner().invoke(app, ["operations", "manifest", "-d", str(tmp_path), "--output", str(output)])
    assert result.exit_code == 0, result.output
    data = orjson.loads(output.read_bytes())
    names = [entry["name"] for entry in data["operations"]]
    assert names == ["Add", "One"]
    for entry in data["operations"]:
        assert entry["id"] == hashlib.sha256(entry["body"].encode()).hexdigest()
    one = data["operations"][1]["body"]
    fragments = {d.name.value for d in parse(one).definitions if isinstance(d, FragmentDefinitionNode)}
    assert fragments == {"Core", "More"}
    # The router loads what the command writes.
    assert load_manifest(output).by_id[data["operations"][0]["id"]].name == "Add"


def test_anonymous_operations_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x.graphql").write_text("{ products { id } }", encoding="utf-8")
    result = CliRunner().invoke(app, ["operations", "manifest", "-d", str(tmp_path), "-o", "-"])
    assert result.exit_code == 1
    assert "needs a name" in result.output


def test_committed_manifest_is_up_to_date_with_schema_operations() -> None:
    committed = orjson.loads((DEFAULT_DIRECTORY / "manifest.json").read_bytes())
    assert committed == build_manifest()
    names = {entry["name"] for entry in committed["operations"]}
    assert {"Login", "Register", "Me", "UpdateProfile", "MyWorkouts", "CreateWorkout"} <= names
