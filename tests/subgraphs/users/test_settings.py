"""Users settings come from FITGRAPH_USERS_* environment variables."""

from __future__ import annotations

import os

import pydantic
import pytest

from subgraphs.common.app import create_subgraph_app
from subgraphs.users.schema import create_schema
from subgraphs.users.settings import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("FITGRAPH_USERS_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = Settings()
    assert settings.port == 4001
    assert settings.database_url == "sqlite+aiosqlite:///.fitgraph/users.sqlite3"
    assert settings.jwt_issuer == "https://fitgraph.local"
    assert settings.jwt_audience == "fitgraph"
    assert settings.redis_url is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITGRAPH_USERS_PORT", "5001")
    monkeypatch.setenv("FITGRAPH_USERS_REGION_DATABASE_URLS", '{"RU": "postgresql+asyncpg://db-ru/users"}')
    monkeypatch.setenv("FITGRAPH_TRAINING_PORT", "9999")  # another subgraph's prefix is not ours
    settings = Settings()
    assert settings.port == 5001
    assert settings.region_database_urls == {"RU": "postgresql+asyncpg://db-ru/users"}


def test_unknown_region_in_the_database_map_is_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="MARS"):
        Settings(region_database_urls={"MARS": "postgresql+asyncpg://x/y"})


def test_app_name_defaults_to_the_env_prefix() -> None:
    async def context() -> None:
        return None

    app = create_subgraph_app(schema=create_schema(), context_getter=context, settings=Settings())
    assert app.state.metrics.service == "users"
