"""Exports stream: the router sends each page's rows (a CSV chunk, a Parquet row group) while
later pages are still being fetched. The ledger subgraph holds back its fourth page; the client
must already hold the bytes of the first three pages (compared byte for byte with what the
writer produces for them) before it is released. Parquet files are then read back with pyarrow:
one row group per page, typed columns."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from starlette.applications import Starlette

from router.app import create_app
from router.config import RouterConfig, parse_config
from router.engine import Engine
from router.exports.definitions import columns_for, parse_export
from router.exports.writers import csv_chunks, parquet_chunks
from router.pipeline import EngineLike
from tests.router.caching.support import AUTH, bearer
from tests.router.exports.generated import (
    LEDGER_EXPORT,
    LEDGER_SUPERGRAPH,
    Ledger,
    ledger_row,
    running_ledger,
)
from tests.support.servers import running_server

ROWS = 50_000
PAGE = 5_000
BI = bearer("analyst", "bi")


def _app(ledger_url: str, directory: Path) -> Starlette:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ledger.graphql").write_text(LEDGER_EXPORT, encoding="utf-8")
    assert AUTH.hs256_secret is not None
    auth = AUTH.model_dump(mode="python") | {"hs256_secret": AUTH.hs256_secret.get_secret_value()}
    settings = parse_config(
        {"auth": auth, "exports": {"enabled": True, "directory": str(directory), "max_page_size": PAGE}}
    )

    def engine_factory(sdl: str, _config: RouterConfig) -> EngineLike:
        return Engine(sdl, subgraph_urls={"ledger": ledger_url})

    return create_app(settings, LEDGER_SUPERGRAPH, engine_factory=engine_factory)


async def _first_pages_as_written(extension: str, count: int) -> bytes:
    """What the router's writer emits for the first `count` pages, before the next one arrives."""
    engine = Engine(LEDGER_SUPERGRAPH)
    try:
        columns = columns_for(parse_export(LEDGER_EXPORT, "ledger"), engine.api_schema)
    finally:
        await engine.aclose()

    async def pages() -> AsyncIterator[list[dict[str, Any]]]:
        for number in range(count):
            yield [ledger_row(index) for index in range(number * PAGE, (number + 1) * PAGE)]

    chunks = [
        chunk async for chunk in (csv_chunks if extension == "csv" else parquet_chunks)(columns, pages())
    ]
    # csv: the header, then one chunk per page; parquet: one chunk per page, then the footer.
    return b"".join(chunks if extension == "csv" else chunks[:-1])


@contextlib.asynccontextmanager
async def _held_export(extension: str, tmp_path: Path) -> AsyncIterator[tuple[Ledger, bytes, httpx.Response]]:
    async with running_ledger(ROWS) as (ledger, url):
        ledger.hold_after = str(3 * PAGE)  # the fourth page waits for release()
        app = _app(url, tmp_path / "exports")
        async with (
            running_server(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=60) as client,
            client.stream(
                "GET", f"/exports/ledger.{extension}", params={"first": str(PAGE)}, headers=BI
            ) as response,
        ):
            assert response.status_code == 200
            expected = await _first_pages_as_written(extension, 3)
            received = b""
            chunks = response.aiter_bytes()
            # A guard, not a timing assertion: without streaming these bytes would never come.
            async with asyncio.timeout(60):
                while len(received) < len(expected):
                    received += await anext(chunks)
            assert ledger.pages_served == 3  # the fourth page is still held by the subgraph
            assert received[: len(expected)] == expected
            ledger.release()
            async for chunk in chunks:
                received += chunk
            yield ledger, received, response


@pytest.mark.parametrize("extension", ["csv", "parquet"])
async def test_rows_are_sent_while_later_pages_are_fetched(extension: str, tmp_path: Path) -> None:
    async with _held_export(extension, tmp_path) as (ledger, body, _):
        assert ledger.pages_served == ROWS // PAGE
    if extension == "csv":
        lines = body.decode().splitlines()
        assert len(lines) == ROWS + 1 and lines[-1].startswith(f"e{ROWS - 1:07d},{ROWS - 1},")
    else:
        assert pq.read_table(io.BytesIO(body)).num_rows == ROWS


async def test_parquet_reads_back_with_pyarrow_one_row_group_per_page(tmp_path: Path) -> None:
    async with _held_export("parquet", tmp_path) as (_, body, response):
        assert response.headers["content-type"] == "application/vnd.apache.parquet"
    file = pq.ParquetFile(io.BytesIO(body))
    assert file.metadata.num_rows == ROWS
    assert file.num_row_groups == ROWS // PAGE
    assert {file.metadata.row_group(index).num_rows for index in range(file.num_row_groups)} == {PAGE}
    table = file.read()
    assert table.schema.field("seq").type == pa.int64()
    assert table.schema.field("amount").type == pa.float64()
    assert table.schema.field("settled").type == pa.bool_()
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.column_names == ["id", "seq", "at", "amount", "settled", "account.iban", "account.holder"]
    first, last = table.slice(0, 1).to_pylist()[0], table.slice(ROWS - 1, 1).to_pylist()[0]
    for row, index in ((first, 0), (last, ROWS - 1)):
        expected = ledger_row(index)
        assert row["id"] == expected["id"] and row["seq"] == index and row["amount"] == index / 4
        assert row["settled"] is expected["settled"]
        assert row["at"].isoformat().replace("+00:00", "Z") == expected["at"]
        assert row["account.holder"] == expected["account"]["holder"]
