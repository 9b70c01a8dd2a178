"""Training subgraph settings (env prefix FITGRAPH_TRAINING_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from subgraphs.common.settings import SubgraphSettings

__all__ = ["Settings"]


class Settings(SubgraphSettings):
    model_config = SettingsConfigDict(env_prefix="FITGRAPH_TRAINING_", extra="ignore")

    port: int = 4002
    # None = start an in-process SecantusDB (dev only; data lives in memory).
    mongodb_url: str | None = None
    mongodb_database: str = "fitgraph_training"
    # Load the demo data at start-up when running on the embedded database (dev).
    demo_data: bool = True
    # How often events kept while the bus was unreachable are retried.
    outbox_relay_interval_s: float = 5.0
    # Upper bounds that keep one request cheap (BAD_USER_INPUT beyond them).
    max_page_size: int = 100
    max_samples_per_call: int = 10_000
    max_sync_changes: int = 500
    max_import_bytes: int = 20 * 1024 * 1024
