"""Send one hostile request and record what it cost: the response, the wall time (reported,
never asserted on) and how many GraphQL requests the subgraphs received meanwhile."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from tests.router.attacks.stack import FitGraphStack

__all__ = ["JSON", "Outcome", "codes", "probe"]

JSON = {"content-type": "application/json"}


@dataclass
class Outcome:
    response: httpx.Response
    seconds: float
    subgraph_calls: int

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def body(self) -> Any:
        return self.response.json()

    def __str__(self) -> str:
        return f"{self.status} in {self.seconds:.3f}s, {self.subgraph_calls} subgraph call(s): {self.response.text[:300]}"


def codes(body: Any) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in body.get("errors", [])]


async def probe(
    client: httpx.AsyncClient,
    stack: FitGraphStack,
    payload: Any = None,
    *,
    token: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Outcome:
    sent = {**JSON, **(headers or {})}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    body = content if content is not None else orjson.dumps(payload)
    before = stack.subgraph_requests
    started = time.perf_counter()
    response = await client.post("/graphql", content=body, headers=sent)
    return Outcome(response, time.perf_counter() - started, stack.subgraph_requests - before)
