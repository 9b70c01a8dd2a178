"""A "ledger" subgraph on loopback whose cursor connection is generated on the fly: row `i` is
computed from its index, a page from the cursor (the offset), so no list of rows exists
anywhere and a million-row export costs the subgraph one page of memory.

It is a bare ASGI app answering the one query shape the router sends it (orjson in, orjson
out), not graphql-core: the subject under test is the router, and a graphql-core subgraph
would spend most of a million-row run resolving fields. `hold_after` parks the answer of the
page after that cursor until `release()`, so a test can observe what the router streamed
before it has all pages.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from tests.router.support.federation import supergraph_sdl
from tests.support.servers import running_server

__all__ = ["LEDGER_EXPORT", "LEDGER_SUPERGRAPH", "Ledger", "ledger_row", "running_ledger"]

LEDGER_SUPERGRAPH = supergraph_sdl(
    ["ledger"],
    """
scalar DateTime @join__type(graph: LEDGER)
type Query @join__type(graph: LEDGER) { entries(first: Int! = 1000, after: String): EntryPage! }
type EntryPage @join__type(graph: LEDGER) { nodes: [Entry!]! pageInfo: PageInfo! }
type PageInfo @join__type(graph: LEDGER) { hasNextPage: Boolean! endCursor: String }
type Entry @join__type(graph: LEDGER) {
  id: ID!
  seq: Int!
  at: DateTime!
  amount: Float!
  settled: Boolean!
  account: Account!
}
type Account @join__type(graph: LEDGER) { iban: String! holder: String! }
""",
)

LEDGER_EXPORT = """# export: ledger
# rows: entries.nodes
# page_info: entries.pageInfo
query LedgerExport($first: Int! = 1000, $after: String) {
  entries(first: $first, after: $after) {
    nodes { id seq at amount settled account { iban holder } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def ledger_row(index: int) -> dict[str, Any]:
    """Row `index` (0-based) of the ledger, as the subgraph serves it."""
    return {
        "id": f"e{index:07d}",
        "seq": index,
        "at": (_EPOCH + timedelta(seconds=index)).isoformat().replace("+00:00", "Z"),
        "amount": index / 4,
        "settled": index % 3 == 0,
        "account": {"iban": f"DE{index % 997:04d}", "holder": f"holder {index % 101}"},
    }


class Ledger:
    """ASGI app: `entries(first, after)` over `total` generated rows."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pages_served = 0
        self.hold_after: str | None = None
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    def page(self, first: int, after: str | None) -> bytes:
        offset = int(after) if after else 0
        end = min(offset + first, self.total)
        nodes = [ledger_row(index) for index in range(offset, end)]
        page_info = {"hasNextPage": end < self.total, "endCursor": str(end) if end > offset else None}
        return orjson.dumps({"data": {"entries": {"nodes": nodes, "pageInfo": page_info}}})

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = orjson.loads(body)
        variables = request.get("variables") or {}
        after = variables.get("after")
        if self.hold_after is not None and after == self.hold_after:
            await self._released.wait()
        # Whatever the variable names the router chose, `first` and `after` are the only ones.
        first = next((v for k, v in variables.items() if isinstance(v, int)), 1000)
        payload = self.page(first, after if isinstance(after, str) else None)
        self.pages_served += 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


@contextlib.asynccontextmanager
async def running_ledger(total: int) -> AsyncIterator[tuple[Ledger, str]]:
    ledger = Ledger(total)
    async with running_server(ledger) as url:
        yield ledger, url
