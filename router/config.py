"""router.yaml → typed, frozen pydantic models.

Every model forbids unknown keys, so a typo is an error naming the full key path
(`limits.max_dpth: unknown key`) instead of a silently ignored setting. String values may
reference the environment: `${env.VAR}` (VAR must be set) or `${env.VAR:-default}`. Expansion
happens on parsed YAML scalars, so an environment value can never change the document's shape.

No file at all means `RouterConfig()`: no auth, in-memory caches, no Redis needed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from router.caching.config import ResponseCacheConfig, TrustedDocumentsConfig
from router.exports.config import ExportsConfig
from router.graphiql.routes import GraphiQLConfig
from router.observability.config import TelemetryConfig
from router.resilience.config import CircuitBreakerConfig, DeduplicationConfig, RetryConfig
from router.security.config import AuthConfig, AuthorizationConfig, RateLimitConfig

__all__ = [
    "ApqConfig",
    "ConfigError",
    "CsrfConfig",
    "HeadersConfig",
    "LimitsConfig",
    "LoggingConfig",
    "RouterConfig",
    "ServerConfig",
    "SubgraphOverride",
    "SubgraphsConfig",
    "SupergraphConfig",
    "config_json_schema",
    "expand_env",
    "load_config",
    "parse_config",
]


class ConfigError(ValueError):
    """router.yaml is unreadable or invalid; the message names every offending key path."""


class _Model(BaseModel):
    # Attribute docstrings become descriptions in the JSON schema (`fitgraph router config schema`).
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


# Headers that describe the client-to-router hop, or that would let a client claim an identity:
# identity reaches subgraphs only as the verified bearer token, never as a plain header.
_UNFORWARDABLE_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-type",
        "accept-encoding",
        "host",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "x-user-id",
        "x-user-email",
        "x-user-roles",
        "x-user-scopes",
        "x-user-claims",
        "x-forwarded-user",
        "x-remote-user",
        "x-auth-user",
        "x-authenticated-user",
    }
)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9a-z-]+$")
_HTTP_URL = re.compile(r"^https?://[^/\s]+\S*$", re.IGNORECASE)


def _header_name(value: str) -> str:
    name = value.strip().lower()
    if not _HEADER_NAME.match(name):
        raise ValueError(f"{value!r} is not a valid HTTP header name")
    return name


class ServerConfig(_Model):
    """Where the router listens (the CLI's --host/--port take precedence)."""

    host: str = "127.0.0.1"
    """Interface to bind."""
    port: int = Field(default=4000, ge=0, le=65535)
    """TCP port to bind."""
    graphql_path: str = Field(default="/graphql", pattern=r"^/[A-Za-z0-9/_.-]*$")
    """Path of the GraphQL endpoint (GET and POST)."""


class SupergraphConfig(_Model):
    """Where the supergraph SDL comes from: a file or a URL, not both (the CLI's --supergraph
    and --supergraph-url take precedence)."""

    path: str | None = None
    """Supergraph SDL file, relative to this router.yaml."""
    url: str | None = None
    """http(s) URL serving the supergraph SDL: fetched at start, then polled with conditional GETs."""
    poll_interval: float = Field(default=0.0, ge=0.0)
    """Seconds between checks of the file or URL for changes (hot reload); 0 disables polling."""
    fetch_timeout: float = Field(default=10.0, gt=0.0)
    """Seconds one fetch of `url` may take (connect + response) before it counts as failed."""

    @field_validator("url", mode="before")
    @classmethod
    def _empty_url_is_none(cls, value: Any) -> Any:
        # `${env.SUPERGRAPH_URL:-}` expands to "" when unset: that means "no URL".
        return None if value == "" else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not _HTTP_URL.match(value):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> SupergraphConfig:
        if self.path is not None and self.url is not None:
            raise ValueError("path and url are mutually exclusive: set one of them (path: null to use url)")
        return self


class SubgraphOverride(_Model):
    """Settings of one subgraph, keyed by its join__Graph name."""

    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """Replaces the URL recorded in the supergraph."""
    timeout: float | None = Field(default=None, gt=0.0)
    """Seconds; replaces subgraphs.timeout for this subgraph."""


class SubgraphsConfig(_Model):
    """Subgraph calls: a default timeout plus per-subgraph overrides."""

    timeout: float = Field(default=30.0, gt=0.0)
    """Seconds a subgraph request may take; then its fields are null with an error."""
    overrides: dict[str, SubgraphOverride] = Field(default_factory=dict)
    """Per-subgraph URL/timeout, keyed by join__Graph name (unknown names are refused at start)."""
    retry: RetryConfig = Field(default_factory=RetryConfig)
    """Retries of failed subgraph queries (never mutations), with back-off and jitter."""
    circuit_breaker: CircuitBreakerConfig = Field(default_factory=CircuitBreakerConfig)
    """Per-subgraph circuit breaker: fail fast while a subgraph keeps failing."""


class HeadersConfig(_Model):
    """Headers sent to subgraphs, besides W3C `traceparent`/`tracestate` (always propagated)."""

    propagate: tuple[str, ...] = ()
    """Client headers forwarded to every subgraph (case-insensitive). Identity headers such as
    x-user-id and hop-by-hop headers are refused."""
    insert: dict[str, str] = Field(default_factory=dict)
    """Static headers added to every subgraph request (e.g. a router identifier)."""

    @field_validator("propagate")
    @classmethod
    def _check_propagate(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        normalised = tuple(dict.fromkeys(_header_name(name) for name in names))
        refused = [name for name in normalised if name in _UNFORWARDABLE_HEADERS]
        if refused:
            raise ValueError(f"these headers may not be forwarded to subgraphs: {', '.join(refused)}")
        return normalised

    @field_validator("insert")
    @classmethod
    def _check_insert(cls, headers: dict[str, str]) -> dict[str, str]:
        normalised = {_header_name(name): value for name, value in headers.items()}
        refused = [name for name in normalised if name in _UNFORWARDABLE_HEADERS]
        if refused:
            raise ValueError(f"these headers may not be set on subgraph requests: {', '.join(refused)}")
        return normalised


class LimitsConfig(_Model):
    """Request limits, enforced before planning. `null` disables a limit."""

    max_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    """Largest POST body (413 beyond) and GET query string (414 beyond), in bytes."""
    max_batch: int = Field(default=16, ge=1)
    """Most operations in one batched (JSON array) request; 1 disables batching in effect."""
    max_depth: int | None = Field(default=64, gt=0)
    """Deepest field nesting of an operation, fragments expanded (MAX_DEPTH_LIMIT)."""
    max_aliases: int | None = Field(default=256, ge=0)
    """Most aliased fields, counted at every fragment spread (MAX_ALIASES_LIMIT)."""
    max_root_fields: int | None = Field(default=64, gt=0)
    """Most fields at the operation's root (MAX_ROOT_FIELDS_LIMIT)."""
    max_fields: int | None = Field(default=5_000, gt=0)
    """Most field selections in all, counted at every fragment spread (MAX_FIELDS_LIMIT): a few
    hundred bytes of nested fragments can otherwise expand to millions of fields."""
    max_tokens: int | None = Field(default=15_000, gt=0)
    """Most lexical tokens in a document, checked before parsing (MAX_TOKENS_LIMIT)."""
    max_cost: float | None = Field(default=None, gt=0)
    """Highest estimated cost of an operation (COST_ESTIMATED_TOO_EXPENSIVE): the supergraph's
    `@cost`/`@listSize` where present, default weights otherwise (router/security/cost.py)."""
    default_list_size: int = Field(default=10, ge=0)
    """Size assumed for a list field without `@listSize` or a slicing argument, when costing."""


class CsrfConfig(_Model):
    """Apollo Router's CSRF prevention: GET and "simple" requests need a preflight-forcing header."""

    enabled: bool = True
    """Refuse requests a browser could send cross-site without a CORS preflight."""
    required_headers: tuple[str, ...] = ("x-apollo-operation-name", "apollo-require-preflight")
    """Any of these headers marks a request as preflighted."""

    @field_validator("required_headers")
    @classmethod
    def _normalise(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_header_name(name) for name in names))


class ApqConfig(_Model):
    """Automatic persisted queries (Apollo's protocol): local LRU, optionally backed by Redis."""

    enabled: bool = True
    """Answer hash-only requests and register texts sent with their hash."""
    local_cache_size: int = Field(default=2048, ge=1)
    """Query texts kept in this process (least recently used evicted first)."""
    redis_url: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://\S+$")
    """Redis shared by every router replica; empty or null = this process only."""
    redis_prefix: str = "fitgraph:apq:"
    """Prefix of the Redis keys (followed by the SHA-256 hex digest)."""
    ttl: int | None = Field(default=7 * 24 * 3600, gt=0)
    """Seconds a registered query lives in Redis; null keeps it until Redis evicts it."""

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        # `${env.REDIS_URL:-}` expands to "" when unset: that means "no Redis".
        return None if value == "" else value


class LoggingConfig(_Model):
    """JSON log lines on stderr."""

    level: str = Field(default="INFO", pattern=r"(?i)^(debug|info|warning|error|critical)$")
    """Lowest level written."""


class RouterConfig(_Model):
    """FitGraph router configuration (router.yaml). Strings may use ${env.VAR} or ${env.VAR:-default}."""

    server: ServerConfig = Field(default_factory=ServerConfig)
    supergraph: SupergraphConfig = Field(default_factory=SupergraphConfig)
    subgraphs: SubgraphsConfig = Field(default_factory=SubgraphsConfig)
    headers: HeadersConfig = Field(default_factory=HeadersConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    csrf: CsrfConfig = Field(default_factory=CsrfConfig)
    deduplication: DeduplicationConfig = Field(default_factory=DeduplicationConfig)
    """Identical in-flight queries share one execution."""
    introspection: bool = False
    """Allow `__schema` / `__type` queries (off by default: production)."""
    include_subgraph_errors: bool = False
    """Send subgraph error messages and extensions to clients (otherwise: path and code only)."""
    apq: ApqConfig = Field(default_factory=ApqConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    auth: AuthConfig | None = None
    """Bearer JWT verification (DESIGN §2.3); absent = every request is anonymous."""
    authorization: AuthorizationConfig = Field(default_factory=AuthorizationConfig)
    """Enforcement of @authenticated / @requiresScopes / @policy from the supergraph (§2.6)."""
    rate_limit: RateLimitConfig | None = None
    """Token-bucket rate limits (§2.4); absent = unlimited."""
    trusted_documents: TrustedDocumentsConfig = Field(default_factory=TrustedDocumentsConfig)
    """Operations by id from a manifest, and the safelist (§2.2)."""
    response_cache: ResponseCacheConfig = Field(default_factory=ResponseCacheConfig)
    """Whole-response cache for operations whose every field has a cache hint (§2.7)."""
    exports: ExportsConfig = Field(default_factory=ExportsConfig)
    """BI exports at /exports/{name}.{csv|ndjson|parquet}."""
    graphiql: GraphiQLConfig = Field(default_factory=GraphiQLConfig)
    """GraphiQL for admins."""
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    """OpenTelemetry tracing and OTLP export."""


_ENV_REFERENCE = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(value: Any, environ: Mapping[str, str] | None = None, *, _path: str = "") -> Any:
    """Replace `${env.VAR}` / `${env.VAR:-default}` in every string of a parsed YAML tree."""
    env = os.environ if environ is None else environ
    if isinstance(value, str):

        def _substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            where = _path or "<root>"
            raise ConfigError(f"{where}: environment variable {name} is not set (use ${{env.{name}:-default}})")

        return _ENV_REFERENCE.sub(_substitute, value)
    if isinstance(value, dict):
        return {
            key: expand_env(item, env, _path=f"{_path}.{key}" if _path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [expand_env(item, env, _path=f"{_path}[{index}]") for index, item in enumerate(value)]
    return value


def _format_location(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "<root>"


def _describe(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def parse_config(data: Any, environ: Mapping[str, str] | None = None) -> RouterConfig:
    """Validate an already-parsed YAML document (None = empty file = defaults)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("<root>: router.yaml must be a mapping of sections")
    expanded = expand_env(data, environ)
    try:
        return RouterConfig.model_validate(expanded)
    except ValidationError as error:
        lines = [f"{_format_location(item['loc'])}: {_describe(item)}" for item in error.errors()]
        raise ConfigError("invalid router config:\n  " + "\n  ".join(lines)) from None


def load_config(path: str | Path | None, environ: Mapping[str, str] | None = None) -> RouterConfig:
    """Read router.yaml; None means no file: every default."""
    if path is None:
        return RouterConfig()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read {file}: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{file} is not valid YAML: {error}") from None
    return parse_config(data, environ)


def config_json_schema() -> str:
    """The JSON schema of router.yaml (printed by `fitgraph router config schema`)."""
    schema = RouterConfig.model_json_schema()
    schema["title"] = "FitGraph router configuration (router.yaml)"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True)
