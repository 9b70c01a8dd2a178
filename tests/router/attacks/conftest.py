"""One FitGraph stack (composed supergraph, real users + training subgraphs) for the package and
one router per module: starting them is the expensive part; the tests send only requests the
router refuses or answers without changing shared state."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.router.attacks.stack import FitGraphStack, fitgraph_stack, router_config, serve_router


@pytest.fixture(scope="package")
async def stack(mongodb_url: str) -> AsyncIterator[FitGraphStack]:
    async with fitgraph_stack(mongodb_url) as running:
        yield running


@pytest.fixture(scope="module")
async def router(stack: FitGraphStack) -> AsyncIterator[httpx.AsyncClient]:
    """The router as router.yaml configures it (introspection off, its limits, `auth` on)."""
    async with serve_router(stack, router_config(stack)) as client:
        yield client
