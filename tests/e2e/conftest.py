"""One FitGraph stack (composed supergraph, real users + training subgraphs) for the package and
one router per module, configured by the committed router.yaml. Modules that need neither
(the Node client tests) never start them."""

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
    async with serve_router(stack, router_config(stack)) as client:
        yield client
