"""Fixtures of the training subgraph tests: one running subgraph per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.subgraphs.training.harness import Harness, running_training


@pytest.fixture(scope="module")
async def training(mongodb_url: str) -> AsyncIterator[Harness]:
    async with running_training(mongodb_url) as harness:
        yield harness
