"""The FitGraph stack (real users + training subgraphs) for the fuzz module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.router.attacks.stack import FitGraphStack, fitgraph_stack


@pytest.fixture(scope="package")
async def stack(mongodb_url: str) -> AsyncIterator[FitGraphStack]:
    async with fitgraph_stack(mongodb_url) as running:
        yield running
