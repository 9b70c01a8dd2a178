"""Usage-aware checks: breaking changes name the known operations they break, and a breaking
change no known operation uses does not block."""

from __future__ import annotations

import json
from pathlib import Path

from schema.check import check_supergraphs, load_operations
from schema.compose import SubgraphInput, compose

_HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
_USERS = (
    _HEADER
    + """
enum Unit { KG LB }
input Range { from: Int to: Int }
type User @key(fields: "id") { id: ID! name: String! email: String legacyScore: Int unit: Unit }
type Query { me: User users(range: Range): [User!]! }
"""
)


def _supergraph(users_sdl: str) -> str:
    return compose([SubgraphInput("users", "http://users/graphql", users_sdl)]).unwrap()


def _operations(tmp_path: Path) -> Path:
    directory = tmp_path / "operations"
    directory.mkdir()
    (directory / "me.graphql").write_text("query Me { me { name email } }\n", encoding="utf-8")
    (directory / "search.graphql").write_text(
        "query Search($r: Range) { users(range: $r) { id unit } }\nquery Names { users { name } }\n",
        encoding="utf-8",
    )
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": "abc", "name": "Emails", "type": "query", "body": "query Emails { me { email } }"}
        ],
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def test_operations_are_loaded_from_documents_and_manifests(tmp_path: Path) -> None:
    directory = _operations(tmp_path)
    # A flat {hash: body} manifest repeating an operation of the .graphql files: listed once.
    (directory / "flat.json").write_text(json.dumps({"h1": "query Me {\n  me { name email }\n}"}))
    names = [operation.name for operation in load_operations(directory)]

    assert sorted(names) == ["Emails", "Me", "Names", "Search"]


def test_breaking_change_names_the_operations_it_breaks(tmp_path: Path) -> None:
    new = _USERS.replace("email: String ", "")
    report = check_supergraphs(_supergraph(_USERS), _supergraph(new), load_operations(_operations(tmp_path)))

    [removed] = [c for c in report.changes if c.change.code == "FIELD_REMOVED"]
    assert removed.change.coordinate == "User.email"
    assert sorted(removed.operations or []) == ["Emails", "Me"]
    assert removed.blocking
    assert report.to_json()["summary"]["blocking"] == 1


def test_removal_no_operation_uses_does_not_block(tmp_path: Path) -> None:
    new = _USERS.replace("legacyScore: Int ", "")
    report = check_supergraphs(_supergraph(_USERS), _supergraph(new), load_operations(_operations(tmp_path)))

    [removed] = [c for c in report.changes if c.change.code == "FIELD_REMOVED"]
    assert removed.operations == []
    assert not removed.blocking and report.blocking == []
    assert "none (not blocking)" in report.to_table()


def test_without_operations_every_breaking_change_blocks() -> None:
    report = check_supergraphs(_supergraph(_USERS), _supergraph(_USERS.replace("legacyScore: Int ", "")))

    assert [c.change.code for c in report.blocking] == ["FIELD_REMOVED"]
    assert report.to_json()["changes"][0]["operations"] is None


def test_variables_of_input_and_enum_types_cover_all_their_members(tmp_path: Path) -> None:
    new = _USERS.replace("input Range { from: Int to: Int }", "input Range { from: Int }").replace(
        "enum Unit { KG LB }", "enum Unit { KG }"
    )
    report = check_supergraphs(_supergraph(_USERS), _supergraph(new), load_operations(_operations(tmp_path)))
    by_code = {c.change.code: c for c in report.changes}

    assert by_code["INPUT_FIELD_REMOVED"].operations == ["Search"]  # `$r: Range` may carry `to`
    assert by_code["ENUM_VALUE_REMOVED"].operations == ["Search"]  # Search reads `unit`


def test_required_argument_added_breaks_every_caller(tmp_path: Path) -> None:
    new = _USERS.replace("users(range: Range)", "users(range: Range, tenant: ID!)")
    report = check_supergraphs(_supergraph(_USERS), _supergraph(new), load_operations(_operations(tmp_path)))

    [added] = [c for c in report.changes if c.change.code == "REQUIRED_ARGUMENT_ADDED"]
    assert sorted(added.operations or []) == ["Names", "Search"]


def test_table_lists_every_change_with_a_summary() -> None:
    new = _USERS.replace("legacyScore: Int ", "age: Int ")
    table = check_supergraphs(_supergraph(_USERS), _supergraph(new)).to_table()

    lines = table.splitlines()
    assert lines[0].split() == ["SEVERITY", "CHANGE", "COORDINATE", "OPERATIONS", "DETAIL"]
    assert any(line.startswith("breaking") and "User.legacyScore" in line for line in lines)
    assert any(line.startswith("safe") and "User.age" in line for line in lines)
    assert lines[-1] == "1 breaking (1 blocking), 0 dangerous, 1 safe"
