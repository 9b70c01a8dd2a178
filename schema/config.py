"""`supergraph.yaml` in the format of Apollo's rover config, plus a `module:` schema source.

    federation_version: =2.7.1
    subgraphs:
      users:
        routing_url: ${env.USERS_URL:-http://127.0.0.1:4001/graphql}
        schema:
          module: subgraphs.users.schema:create_schema   # FitGraph extension (no server needed)
          # or  file: ./users.graphql  |  subgraph_url: http://…/graphql  |  sdl: "type Query …"

`${env.NAME}` is replaced by the environment variable (an error when unset); `${env.NAME:-x}`
falls back to `x`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = ["ConfigError", "SchemaSource", "SubgraphConfig", "SupergraphConfig", "expand_env", "load_config"]

_ENV = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """supergraph.yaml is missing, malformed or refers to an unset environment variable."""


class SchemaSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    subgraph_url: str | None = None
    sdl: str | None = None
    module: str | None = None
    introspection_headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exactly_one(self) -> SchemaSource:
        given = [n for n in ("file", "subgraph_url", "sdl", "module") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                f"schema needs exactly one of file, subgraph_url, sdl, module (got {given or 'none'})"
            )
        return self


class SubgraphConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    routing_url: str
    schema_: SchemaSource = Field(alias="schema")


class SupergraphConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    federation_version: str | int = 2
    subgraphs: dict[str, SubgraphConfig]
    # Directory relative `file:` paths are resolved against (the config file's directory).
    base_dir: Path = Path(".")


def expand_env(value: Any, environ: dict[str, str] | os._Environ[str] | None = None) -> Any:
    """Apply `${env.NAME}` / `${env.NAME:-default}` to every string inside `value`."""
    source = os.environ if environ is None else environ
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in source:
                return source[name]
            if default is not None:
                return default
            raise ConfigError(f"environment variable {name} is not set (used as ${{env.{name}}})")

        return _ENV.sub(replace, value)
    if isinstance(value, list):
        return [expand_env(item, source) for item in value]
    if isinstance(value, dict):
        return {key: expand_env(item, source) for key, item in value.items()}
    return value


def load_config(path: Path, environ: dict[str, str] | None = None) -> SupergraphConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must be a mapping with a `subgraphs` key")
    try:
        config = SupergraphConfig.model_validate(expand_env(raw, environ))
    except ValidationError as error:
        raise ConfigError(f"{path} is invalid:\n{error}") from error
    config.base_dir = path.resolve().parent
    return config
