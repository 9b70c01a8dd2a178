"""Settings shared by every subgraph; each subgraph subclasses with its env prefix and port."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from auth.token_cache import DEFAULT_TOKEN_CACHE_SIZE

__all__ = ["SubgraphSettings"]


class SubgraphSettings(BaseSettings):
    """Base settings. Subclasses set ``model_config`` (env prefix) and the default ``port``."""

    model_config = SettingsConfigDict(env_prefix="FITGRAPH_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 4000

    jwt_issuer: str = "https://fitgraph.local"
    jwt_audience: str = "fitgraph"
    # PEM directory of signing keys (the users subgraph signs; in dev a fresh EdDSA key is
    # generated here when it is empty).
    jwt_keys_dir: Path = Path(".fitgraph/keys")
    # Subgraphs that only verify tokens fetch the JWKS here at start-up and again when a token
    # carries an unknown kid (key rotation).
    jwks_url: str | None = None
    jwt_leeway_seconds: int = 30
    # Development only: accept HS256 tokens signed with this secret (never set in production).
    jwt_hs256_secret: str | None = None
    # Verified tokens remembered per process (0 = off): a repeated token skips the signature
    # check but is re-checked against exp/nbf/iat, its key and the issuer (auth.token_cache).
    jwt_verify_cache_size: int = Field(default=DEFAULT_TOKEN_CACHE_SIZE, ge=0)

    # None = in-memory backends (single process, `make dev`).
    redis_url: str | None = None
    redis_prefix: str = "fitgraph:"

    mask_errors: bool = True
    log_level: str = "INFO"
