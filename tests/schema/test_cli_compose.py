"""`fitgraph compose`: writes the artifacts, never on failure; `--check` guards staleness."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli import app
from schema.compose import SubgraphInput, compose

_HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])\n'
)
_USERS = _HEADER + 'type User @key(fields: "id") { id: ID! name: String }\ntype Query { me: User }\n'
_TRAINING = _HEADER + 'type User @key(fields: "id") { id: ID! workouts: [String!]! }\n'
_CONFIG = """federation_version: =2.3.2
subgraphs:
  users:
    routing_url: http://users:4001/graphql
    schema:
      file: ./users.graphql
  training:
    routing_url: ${env.TRAINING_URL:-http://training:4002/graphql}
    schema:
      file: ./training.graphql
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "users.graphql").write_text(_USERS, encoding="utf-8")
    (tmp_path / "training.graphql").write_text(_TRAINING, encoding="utf-8")
    config = tmp_path / "supergraph.yaml"
    config.write_text(_CONFIG, encoding="utf-8")
    return config


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_compose_writes_supergraph_and_subgraph_artifacts(tmp_path: Path) -> None:
    config = _project(tmp_path)
    output = tmp_path / "out" / "supergraph.graphql"

    code, stdout, _ = _run("compose", "--config", str(config), "--output", str(output))

    assert code == 0
    expected = compose(
        [
            SubgraphInput("users", "http://users:4001/graphql", _USERS),
            SubgraphInput("training", "http://training:4002/graphql", _TRAINING),
        ]
    ).unwrap()
    assert output.read_text(encoding="utf-8") == expected + "\n"
    assert (tmp_path / "out" / "subgraphs" / "users.graphql").read_text(encoding="utf-8") == _USERS
    assert (tmp_path / "out" / "subgraphs" / "training.graphql").read_text(encoding="utf-8") == _TRAINING
    assert f"wrote {output}" in stdout
    assert output.stat().st_mode & 0o777 == 0o644


def test_failed_composition_keeps_the_previous_output(tmp_path: Path) -> None:
    config = _project(tmp_path)
    output = tmp_path / "supergraph.graphql"
    assert _run("compose", "-c", str(config), "-o", str(output))[0] == 0
    before = output.read_text(encoding="utf-8")
    (tmp_path / "training.graphql").write_text(
        _HEADER + 'type User @key(fields: "id") { id: ID! name: Int }\n', encoding="utf-8"
    )

    code, _, stderr = _run("compose", "-c", str(config), "-o", str(output))

    assert code == 1
    assert "FIELD_TYPE_MISMATCH" in stderr and "User.name" in stderr and "nothing written" in stderr
    assert output.read_text(encoding="utf-8") == before
    assert (tmp_path / "subgraphs" / "training.graphql").read_text(encoding="utf-8") == _TRAINING


def test_check_reports_stale_artifacts(tmp_path: Path) -> None:
    config = _project(tmp_path)
    output = tmp_path / "supergraph.graphql"
    assert _run("compose", "-c", str(config), "-o", str(output))[0] == 0
    assert _run("compose", "-c", str(config), "-o", str(output), "--check")[0] == 0

    (tmp_path / "users.graphql").write_text(_USERS.replace("name: String", "name: String email: String"))
    code, _, stderr = _run("compose", "-c", str(config), "-o", str(output), "--check")

    assert code == 1
    assert "run `fitgraph compose`" in stderr
    assert str(output) in stderr and "users.graphql" in stderr


def test_output_dash_prints_the_supergraph(tmp_path: Path) -> None:
    code, stdout, _ = _run("compose", "-c", str(_project(tmp_path)), "-o", "-")

    assert code == 0
    assert stdout.startswith("schema\n")
    assert 'TRAINING @join__graph(name: "training", url: "http://training:4002/graphql")' in stdout


def test_bad_config_exits_with_2(tmp_path: Path) -> None:
    code, _, stderr = _run("compose", "-c", str(tmp_path / "absent.yaml"))

    assert code == 2
    assert "cannot read" in stderr


def test_subgraph_removed_from_config_loses_its_artifact(tmp_path: Path) -> None:
    config = _project(tmp_path)
    output = tmp_path / "supergraph.graphql"
    assert _run("compose", "-c", str(config), "-o", str(output))[0] == 0
    config.write_text(_CONFIG.split("  training:")[0], encoding="utf-8")
    (tmp_path / "users.graphql").write_text(_USERS.replace("name: String }", "name: String age: Int }"))

    code, _, stderr = _run("compose", "-c", str(config), "-o", str(output), "--check")
    assert code == 1 and "training.graphql" in stderr

    assert _run("compose", "-c", str(config), "-o", str(output))[0] == 0
    assert sorted(p.name for p in (tmp_path / "subgraphs").iterdir()) == ["users.graphql"]
    assert "TRAINING" not in output.read_text(encoding="utf-8")
