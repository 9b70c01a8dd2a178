"""router.yaml: defaults, validation errors naming the key, env expansion, schema, CLI checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from router.config import ConfigError, RouterConfig, config_json_schema, expand_env, load_config, parse_config

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_no_file_means_defaults() -> None:
    config = load_config(None)
    assert config == RouterConfig()
    assert config.apq.enabled and config.apq.redis_url is None
    assert config.introspection is False and config.include_subgraph_errors is False
    assert config.csrf.enabled and config.csrf.required_headers == ("x-apollo-operation-name", "apollo-require-preflight")
    assert parse_config(None) == RouterConfig()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"limits": {"max_dpth": 3}}, "limits.max_dpth: unknown key"),
        ({"servr": {}}, "servr: unknown key"),
        ({"subgraphs": {"overrides": {"users": {"url": "http://u", "timout": 1}}}}, "subgraphs.overrides.users.timout: unknown key"),
        ({"server": {"port": 70000}}, "server.port:"),
        ({"limits": {"max_batch": 0}}, "limits.max_batch:"),
        ({"apq": {"redis_url": "http://not-redis"}}, "apq.redis_url:"),
        ({"headers": {"propagate": ["X-User-Id"]}}, "headers.propagate: these headers may not be forwarded to subgraphs: x-user-id"),
        ({"headers": {"propagate": ["bad header"]}}, "headers.propagate: 'bad header' is not a valid HTTP header name"),
        ({"headers": {"insert": {"Host": "x"}}}, "headers.insert: these headers may not be set"),
        ({"introspection": "sometimes"}, "introspection:"),
        ({"logging": {"level": "loud"}}, "logging.level:"),
    ],
)
def test_invalid_config_names_the_key(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(data)
    assert fragment in str(raised.value)


def test_every_error_is_reported() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"limits": {"max_depth": -1, "nope": 1}, "csrf": {"enabled": "maybe"}})
    message = str(raised.value)
    for key in ("limits.max_depth", "limits.nope", "csrf.enabled"):
        assert key in message


def test_env_expansion() -> None:
    environ = {"ROUTER_PORT": "4100", "REDIS_HOST": "cache.internal"}
    config = parse_config(
        {
            "server": {"port": "${env.ROUTER_PORT}"},
            "apq": {"redis_url": "redis://${env.REDIS_HOST}:${env.REDIS_PORT:-6379}/0"},
            "headers": {"insert": {"x-env": "${env.DEPLOY_ENV:-dev}"}},
            "introspection": "${env.ROUTER_INTROSPECTION:-false}",
        },
        environ,
    )
    assert config.server.port == 4100
    assert config.apq.redis_url == "redis://cache.internal:6379/0"
    assert config.headers.insert == {"x-env": "dev"}
    assert config.introspection is False


def test_empty_default_means_unset() -> None:
    assert parse_config({"apq": {"redis_url": "${env.NO_SUCH_VAR_FOR_TEST:-}"}}, {}).apq.redis_url is None


def test_missing_env_var_names_key_and_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"apq": {"redis_url": "${env.FITGRAPH_UNSET_VAR}"}}, {})
    assert "apq.redis_url" in str(raised.value) and "FITGRAPH_UNSET_VAR" in str(raised.value)


def test_env_values_cannot_change_the_document_shape() -> None:
    # The value is expanded after YAML parsing, so YAML syntax in it stays a plain string.
    assert expand_env({"a": ["${env.X}"]}, {"X": "{b: 1}"}) == {"a": ["{b: 1}"]}


def test_load_config_reports_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("limits: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just a string\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(scalar)


def test_json_schema_forbids_unknown_keys() -> None:
    schema = json.loads(config_json_schema())
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) >= {"server", "limits", "csrf", "apq", "headers", "subgraphs", "introspection"}
    assert all(definition.get("additionalProperties") is False for definition in schema["$defs"].values())


def test_repository_router_yaml_is_valid() -> None:
    config = load_config(REPO_ROOT / "router.yaml", {})
    assert config.apq.enabled
    assert "authorization" not in config.headers.propagate  # the auth rule forwards the token
    assert config.auth is not None and config.auth.forward_to_subgraphs


def test_cli_config_validate_and_schema(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.yaml"
    good.write_text("limits:\n  max_depth: 10\n")
    result = runner.invoke(app, ["router", "config", "validate", str(good)])
    assert result.exit_code == 0, result.stderr
    assert "valid" in result.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("limits:\n  max_depht: 10\ncsrf:\n  enabled: perhaps\n")
    result = runner.invoke(app, ["router", "config", "validate", str(bad)])
    assert result.exit_code == 1
    assert "limits.max_depht: unknown key" in result.stderr
    assert "csrf.enabled" in result.stderr

    missing = runner.invoke(app, ["router", "config", "validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.stderr

    schema = runner.invoke(app, ["router", "config", "schema"])
    assert schema.exit_code == 0
    assert json.loads(schema.stdout)["properties"]["limits"]["$ref"].endswith("LimitsConfig")
