"""`fitgraph check`: table and JSON output, exit status, --base as file or git ref, operations."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from schema.compose import SubgraphInput, compose

_HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
_OLD = (
    _HEADER + 'type User @key(fields: "id") { id: ID! name: String! legacy: Int }\ntype Query { me: User }\n'
)
_NEW = _HEADER + 'type User @key(fields: "id") { id: ID! name: String! age: Int }\ntype Query { me: User }\n'


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A supergraph.yaml composing users.graphql (the new schema) and the committed old supergraph."""
    (tmp_path / "users.graphql").write_text(_NEW, encoding="utf-8")
    config = tmp_path / "supergraph.yaml"
    config.write_text(
        "subgraphs:\n  users:\n    routing_url: http://users\n    schema: {file: users.graphql}\n"
    )
    committed = tmp_path / "schema" / "supergraph.graphql"
    committed.parent.mkdir()
    committed.write_text(
        compose([SubgraphInput("users", "http://users", _OLD)]).unwrap() + "\n", encoding="utf-8"
    )
    return config, committed


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout


def test_breaking_change_fails_unless_allowed(tmp_path: Path) -> None:
    config, committed = _project(tmp_path)
    empty = tmp_path / "no-operations"

    code, out = _run("-c", str(config), "--base", str(committed), "--operations", str(empty))
    assert code == 1
    assert "FIELD_REMOVED" in out and "User.legacy" in out and "FIELD_ADDED" in out

    code, _ = _run(
        "-c", str(config), "--base", str(committed), "--allow-breaking", "--operations", str(empty)
    )
    assert code == 0


def test_json_report(tmp_path: Path) -> None:
    config, committed = _project(tmp_path)
    report_path = tmp_path / "report.json"

    code, out = _run(
        "-c", str(config), "--base", str(committed), "--json", "-", "--operations", str(tmp_path / "x")
    )
    assert code == 1
    document = json.loads(out)
    assert document["summary"] == {
        "breaking": 1,
        "dangerous": 0,
        "safe": 1,
        "blocking": 1,
        "operationsChecked": None,
    }
    code, out = _run(
        "-c",
        str(config),
        "--base",
        str(committed),
        "--json",
        str(report_path),
        "--allow-breaking",
        "--operations",
        str(tmp_path / "x"),
    )
    assert code == 0 and "SEVERITY" in out
    assert json.loads(report_path.read_text(encoding="utf-8")) == document


def test_unused_removal_passes_with_known_operations(tmp_path: Path) -> None:
    config, committed = _project(tmp_path)
    operations = tmp_path / "operations"
    operations.mkdir()
    (operations / "me.graphql").write_text("query Me { me { id name } }\n", encoding="utf-8")

    code, out = _run("-c", str(config), "--base", str(committed), "--operations", str(operations))

    assert code == 0
    assert "none (not blocking)" in out
    assert "checked against 1 known operation(s)" in out


def test_base_defaults_to_the_committed_supergraph_in_git(tmp_path: Path) -> None:
    config, committed = _project(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "schema/supergraph.graphql"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "old"], check=True)
    # The working copy is already regenerated: the check must still compare with HEAD.
    committed.write_text(compose([SubgraphInput("users", "http://users", _NEW)]).unwrap(), encoding="utf-8")

    code, out = _run("-c", str(config), "--committed", str(committed), "--operations", str(tmp_path / "none"))
    assert code == 1 and "User.legacy" in out

    code, out = _run("--supergraph", str(committed), "--base", str(committed))
    assert code == 0 and "No changes" in out


def test_unknown_base_is_a_usage_error(tmp_path: Path) -> None:
    config, committed = _project(tmp_path)

    result = CliRunner().invoke(
        app, ["check", "-c", str(config), "--committed", str(committed), "--base", "nope-ref"]
    )
    assert result.exit_code == 2
    assert "neither a file nor a git ref" in result.stderr


def test_operation_that_does_not_parse_is_a_usage_error(tmp_path: Path) -> None:
    config, committed = _project(tmp_path)
    operations = tmp_path / "operations"
    operations.mkdir()
    (operations / "broken.graphql").write_text("query { me { ", encoding="utf-8")

    result = CliRunner().invoke(
        app, ["check", "-c", str(config), "--base", str(committed), "--operations", str(operations)]
    )
    assert result.exit_code == 2
    assert "broken.graphql" in result.stderr
