"""The served app: health with the database, metrics, settings from the environment."""

from __future__ import annotations

import pytest

from subgraphs.training.settings import Settings
from tests.subgraphs.training.harness import Harness


async def test_health_reports_the_database(training: Harness) -> None:
    response = await training.http.get(f"{training.url}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "training", "database": "ok"}


async def test_metrics_are_exposed(training: Harness) -> None:
    await training.ok("{ __typename }")
    response = await training.http.get(f"{training.url}/metrics")
    assert response.status_code == 200
    assert "# TYPE" in response.text


def test_settings_read_the_training_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITGRAPH_TRAINING_MONGODB_URL", "mongodb://db.example:27017")
    monkeypatch.setenv("FITGRAPH_TRAINING_MAX_PAGE_SIZE", "50")
    settings = Settings()
    assert settings.mongodb_url == "mongodb://db.example:27017"
    assert settings.max_page_size == 50
    assert settings.port == 4002
    assert settings.mongodb_database == "fitgraph_training"
