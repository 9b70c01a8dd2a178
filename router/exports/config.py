"""router.yaml `exports:` section."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ExportsConfig"]


class ExportsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    enabled: bool = False
    directory: str = "schema/exports"
    """Where the export definitions (`*.graphql`) live."""
    scope: str = "bi:read"
    """Scope a bearer token or an API key must hold."""
    api_key_param: str = Field(default="api_key", pattern=r"^[A-Za-z0-9_.-]+$")
    """Query parameter carrying an API key (Power BI's "Web API" credential sends it this way)."""
    key_store: Literal["none", "redis", "file"] = "none"
    """Where hashed API keys live; none = bearer tokens only."""
    redis_url: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://\S+$")
    redis_prefix: str = "fitgraph:api-keys:"
    keys_file: str | None = None
    """JSON file of hashed keys (key_store: file)."""
    max_page_size: int = Field(default=1000, ge=1)
    """Largest `first` a caller may ask for."""
    max_rate_limit_wait: float = Field(default=60.0, ge=0.0)
    """Seconds an export may wait (per page, after the first) for the rate limit to let it go on
    before failing; the first page is refused with 429 at once."""
    subgraph_headers: dict[str, str] = Field(default_factory=dict)
    """Headers sent to subgraphs when the caller used an API key (e.g. a service token)."""

    @field_validator("redis_url", "keys_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value
