"""router.yaml `response_cache:` section (DESIGN §2 stage 7)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["CacheHintConfig", "ResponseCacheConfig", "TrustedDocumentsConfig"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class CacheHintConfig(_Model):
    """A cache hint, like `@cacheControl(maxAge:, scope:)`."""

    max_age: int = Field(ge=0)
    """Seconds the value may be cached; 0 makes anything that selects it uncacheable."""
    scope: Literal["PUBLIC", "PRIVATE"] = "PUBLIC"
    """PUBLIC: shared by every caller (anonymous and authenticated callers never share);
    PRIVATE: cached per user (the token's `sub`), never for anonymous callers."""


class ResponseCacheConfig(_Model):
    """Whole-response cache of query operations whose every field has a cache hint."""

    enabled: bool = False
    backend: Literal["memory", "redis"] = "memory"
    """memory: this process only; redis: shared by every router replica."""
    redis_url: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://\S+$")
    redis_prefix: str = "fitgraph:response-cache:"
    max_entries: int = Field(default=10_000, ge=1)
    """Entries kept by the memory backend (least recently used evicted first)."""
    types: dict[str, CacheHintConfig] = Field(default_factory=dict)
    """Hints by type name: every field returning that type gets it."""
    fields: dict[str, CacheHintConfig] = Field(default_factory=dict)
    """Hints by field coordinate `Type.field` (wins over the type's hint)."""
    use_schema_directives: bool = True
    """Also read `@cacheControl(maxAge:, scope:)` from the supergraph SDL (config wins)."""
    vary_headers: tuple[str, ...] = ()
    """Client headers whose values are part of the cache key (e.g. accept-language)."""

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("fields")
    @classmethod
    def _coordinates(cls, fields: dict[str, CacheHintConfig]) -> dict[str, CacheHintConfig]:
        bad = [name for name in fields if name.count(".") != 1 or not all(name.split("."))]
        if bad:
            raise ValueError(f"field hints are keyed by `Type.field`: {', '.join(bad)}")
        return fields

    @field_validator("vary_headers")
    @classmethod
    def _lower(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name.strip().lower() for name in names))


class TrustedDocumentsConfig(BaseModel):
    """router.yaml `trusted_documents:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    mode: Literal["off", "log_unknown", "safelist"] = "off"
    """off: ids still resolve; log_unknown: free queries run but are logged; safelist: only
    manifest operations run."""
    manifest: str | None = None
    """Path of the manifest JSON file (required unless mode is off)."""
    poll_interval: float = Field(default=5.0, ge=0.0)
    """Seconds between checks of the manifest file for changes; 0 = never reload."""
    allow_admin_free_queries: bool = True
    """In safelist mode, verified admins (role ADMIN) may still send any query."""
    require_id: bool = False
    """In safelist mode, also refuse a free text identical to a manifest body (ids only)."""
