"""supergraph.yaml: rover's format, exactly one schema source, `${env.VAR}` expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.config import ConfigError, expand_env, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "supergraph.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rover_config_with_env_expansion(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
federation_version: =2.7.1
subgraphs:
  users:
    routing_url: ${env.USERS_URL}
    schema:
      file: ./users.graphql
  training:
    routing_url: ${env.TRAINING_URL:-http://127.0.0.1:4002/graphql}
    schema:
      subgraph_url: http://${env.HOST}:4002/graphql
      introspection_headers:
        x-token: ${env.TOKEN:-}
""",
    )
    config = load_config(path, {"USERS_URL": "http://users:4001/graphql", "HOST": "training"})

    assert config.federation_version == "=2.7.1"
    assert config.subgraphs["users"].routing_url == "http://users:4001/graphql"
    assert config.subgraphs["users"].schema_.file == "./users.graphql"
    assert config.subgraphs["training"].routing_url == "http://127.0.0.1:4002/graphql"
    assert config.subgraphs["training"].schema_.subgraph_url == "http://training:4002/graphql"
    assert config.subgraphs["training"].schema_.introspection_headers == {"x-token": ""}
    assert config.base_dir == tmp_path.resolve()


def test_unset_variable_without_default_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "subgraphs:\n  a:\n    routing_url: ${env.NOPE_NOT_SET}\n    schema: {sdl: 'type Query { a: Int }'}\n",
    )

    with pytest.raises(ConfigError, match="NOPE_NOT_SET"):
        load_config(path, {})


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("{}", "exactly one of"),
        ("{file: a.graphql, sdl: 'type Query { a: Int }'}", "exactly one of"),
        ("{graphref: 'my-graph@current'}", "graphref"),
    ],
)
def test_schema_source_must_be_exactly_one_known_kind(tmp_path: Path, schema: str, message: str) -> None:
    path = _write(tmp_path, f"subgraphs:\n  a:\n    routing_url: http://a\n    schema: {schema}\n")

    with pytest.raises(ConfigError, match=message):
        load_config(path, {})


def test_missing_and_malformed_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(_write(tmp_path, "subgraphs: [unclosed"))


def test_expand_env_walks_nested_values() -> None:
    assert expand_env({"a": ["${env.X}", 3, {"b": "x-${env.Y:-d}"}]}, {"X": "1"}) == {
        "a": ["1", 3, {"b": "x-d"}]
    }
