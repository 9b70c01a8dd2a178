"""router.yaml sections of the edge security stages: `auth`, `authorization`, `rate_limit`.

Same conventions as router/config.py: frozen pydantic models, unknown keys refused, so a typo
is an error naming the key path. The lead mounts them on `RouterConfig` as
`auth: AuthConfig | None = None`, `authorization: AuthorizationConfig = AuthorizationConfig()`
and `rate_limit: RateLimitConfig | None = None`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = [
    "AuthConfig",
    "AuthorizationConfig",
    "BucketConfig",
    "JwksSourceConfig",
    "RateLimitConfig",
]

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9a-z-]+$")
_HOOK = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$")
_ALGORITHMS = frozenset({"EdDSA", "RS256", "ES256", "HS256"})
# RFC 7518 §3.2: an HS256 key is at least as long as the hash output.
_MIN_SECRET_BYTES = 32


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _header(value: str) -> str:
    name = value.strip().lower()
    if not _HEADER_NAME.match(name):
        raise ValueError(f"{value!r} is not a valid HTTP header name")
    return name


class JwksSourceConfig(_Model):
    """One JWKS: fetched from `url` or read from `file` (exactly one of them)."""

    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    file: str | None = None
    # Keys older than this are refreshed in the background (seconds).
    max_age: float = Field(default=300.0, gt=0.0)
    # Floor between two loads, whatever unknown `kid`s arrive: a flood of forged kids
    # must not turn into a flood of JWKS downloads.
    min_refresh_interval: float = Field(default=10.0, ge=0.0)
    timeout: float = Field(default=5.0, gt=0.0)

    @model_validator(mode="after")
    def _one_source(self) -> JwksSourceConfig:
        if (self.url is None) == (self.file is None):
            raise ValueError("give exactly one of `url` or `file`")
        return self


class AuthConfig(_Model):
    """Bearer JWT authentication (issue 4): RS256/ES256/EdDSA via JWKS; HS256 only with a secret."""

    issuer: str = Field(min_length=1)
    audience: str | list[str]
    jwks: list[JwksSourceConfig] = Field(default_factory=list)
    algorithms: tuple[str, ...] = ("EdDSA", "RS256", "ES256")
    hs256_secret: SecretStr | None = None
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    # Also read the token from this cookie when there is no Authorization header.
    cookie: str | None = Field(default=None, pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
    # Forward `Authorization: Bearer …` to subgraphs (they verify it themselves).
    forward_to_subgraphs: bool = True

    @field_validator("algorithms")
    @classmethod
    def _check_algorithms(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(algorithms) - _ALGORITHMS)
        if unknown:
            raise ValueError(
                f"unsupported algorithms: {', '.join(unknown)} (use {', '.join(sorted(_ALGORITHMS))})"
            )
        if not algorithms:
            raise ValueError("at least one algorithm is required")
        return tuple(dict.fromkeys(algorithms))

    @field_validator("audience")
    @classmethod
    def _check_audience(cls, audience: str | list[str]) -> str | list[str]:
        if not audience:
            raise ValueError("audience must not be empty")
        return audience

    @model_validator(mode="after")
    def _check_keys(self) -> AuthConfig:
        secret = self.hs256_secret.get_secret_value().encode() if self.hs256_secret is not None else None
        if "HS256" in self.algorithms and secret is None:
            raise ValueError("HS256 in `algorithms` requires `hs256_secret`")
        if secret is not None and "HS256" not in self.algorithms:
            raise ValueError(
                "hs256_secret is set but HS256 is not in `algorithms`: add it or drop the secret"
            )
        if secret is not None and len(secret) < _MIN_SECRET_BYTES:
            raise ValueError(f"hs256_secret must be at least {_MIN_SECRET_BYTES} bytes")
        asymmetric = set(self.algorithms) - {"HS256"}
        if asymmetric and not self.jwks:
            raise ValueError(f"{', '.join(sorted(asymmetric))} need at least one `jwks` source")
        return self


class AuthorizationConfig(_Model):
    """`@authenticated` / `@requiresScopes` / `@policy` enforcement on the supergraph."""

    enabled: bool = True
    # "package.module:function"; called with (claims | None, policies: frozenset[str]) and
    # returning the allowed subset (sync or async). Without a hook every @policy is denied.
    policy_hook: str | None = None

    @field_validator("policy_hook")
    @classmethod
    def _check_hook(cls, hook: str | None) -> str | None:
        if hook is not None and not _HOOK.match(hook):
            raise ValueError(f"{hook!r} is not of the form 'package.module:function'")
        return hook


class BucketConfig(_Model):
    """A token bucket: `capacity` tokens, refilled at `refill_per_second`."""

    capacity: int = Field(gt=0)
    refill_per_second: float = Field(gt=0.0)


def _default_tiers() -> dict[str, BucketConfig]:
    return {
        "anonymous": BucketConfig(capacity=60, refill_per_second=1.0),
        "authenticated": BucketConfig(capacity=300, refill_per_second=5.0),
        "admin": BucketConfig(capacity=1000, refill_per_second=20.0),
    }


class RateLimitConfig(_Model):
    """Token-bucket rate limits per identity (and tier), per operation name, optionally by cost.

    `tiers` is keyed by role name plus two reserved names: `anonymous` (no token) and
    `authenticated` (a token whose roles match no other tier). A caller with several matching
    roles gets the largest bucket.
    """

    enabled: bool = True
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://\S+$")
    redis_prefix: str = "fitgraph:ratelimit:"
    # Seconds one Redis check may take before it counts as "Redis down".
    redis_timeout: float = Field(default=0.25, gt=0.0)
    on_backend_error: Literal["fail_open", "fail_closed"] = "fail_open"
    # Anonymous callers presenting one of `api_keys` in this header are limited per key rather
    # than per address. `api_keys` holds SHA-256 hex digests of the issued keys (never the keys);
    # an unknown key is ignored, or rotating made-up keys would escape the per-address limit.
    api_key_header: str | None = "x-api-key"
    api_keys: frozenset[str] = frozenset()
    tiers: dict[str, BucketConfig] = Field(default_factory=_default_tiers)
    # Extra bucket per identity and operation name.
    operations: dict[str, BucketConfig] = Field(default_factory=dict)
    # "fields": each operation costs its number of field selections (or the estimated cost a
    # previous stage stored in RequestContext.attributes["estimated_cost"]); "estimated": its
    # estimated cost from the supergraph's @cost/@listSize and default weights (as
    # limits.max_cost prices it, router/security/cost.py); "none": 1 each.
    cost: Literal["none", "fields", "estimated"] = "none"
    # With cost "estimated": the size assumed for a list without @listSize or slicing argument.
    default_list_size: int = Field(default=10, ge=0)
    # Buckets the in-memory backend keeps (least recently used are forgotten first).
    memory_max_buckets: int = Field(default=100_000, gt=0)

    @field_validator("api_key_header")
    @classmethod
    def _check_header(cls, name: str | None) -> str | None:
        return None if name is None else _header(name)

    @field_validator("api_keys")
    @classmethod
    def _check_digests(cls, digests: frozenset[str]) -> frozenset[str]:
        bad = [digest for digest in digests if not re.fullmatch(r"[0-9a-fA-F]{64}", digest)]
        if bad:
            raise ValueError("api_keys must be SHA-256 hex digests of the keys, not the keys themselves")
        return frozenset(digest.lower() for digest in digests)

    @model_validator(mode="after")
    def _check(self) -> RateLimitConfig:
        if self.backend == "redis" and not self.redis_url:
            raise ValueError("backend 'redis' requires `redis_url`")
        if "anonymous" not in self.tiers or "authenticated" not in self.tiers:
            raise ValueError("tiers must define `anonymous` and `authenticated`")
        return self
