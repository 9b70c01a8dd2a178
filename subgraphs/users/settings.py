"""Users subgraph settings (env prefix FITGRAPH_USERS_)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from subgraphs.common.settings import SubgraphSettings
from subgraphs.users.models import REGIONS

__all__ = ["Settings"]


class Settings(SubgraphSettings):
    model_config = SettingsConfigDict(env_prefix="FITGRAPH_USERS_", extra="ignore")

    port: int = 4001
    # Primary database: the e-mail directory, refresh tokens, reset tokens, and every region
    # not listed in region_database_urls. PostgreSQL in production, SQLite for `make dev`.
    database_url: str = "sqlite+aiosqlite:///.fitgraph/users.sqlite3"
    # Region -> database URL, so a region's users can live on their own server (the
    # multi-server form of the LIST partitioning by region).
    region_database_urls: dict[str, str] = Field(default_factory=dict)
    database_pool_size: int = 10
    database_echo: bool = False

    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # Absolute cap on a login session however often it is refreshed (then: log in again).
    refresh_family_max_age_seconds: int = 90 * 24 * 3600
    password_reset_ttl_seconds: int = 3600
    # Reset mails per account per hour; further requests are answered the same but not sent.
    password_reset_requests_per_hour: int = 3

    # Login throttling (exponential back-off once a threshold of failures is reached).
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_failure_window_seconds: int = 900
    login_backoff_base_seconds: float = 1.0
    login_backoff_max_seconds: float = 900.0

    @field_validator("region_database_urls")
    @classmethod
    def _known_regions(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - set(REGIONS)
        if unknown:
            raise ValueError(f"unknown region(s): {', '.join(sorted(unknown))}")
        return value
