"""Row encoders: pages of rows in, chunks of bytes out (one page in memory at a time).

- CSV: UTF-8, header row first, nested objects flattened to `a.b` columns, lists as JSON,
  booleans `true`/`false`, dates as the ISO-8601 strings the schema serves.
- NDJSON: one JSON object per row, as the query shapes it.
- Parquet: typed columns (Int → int64, Float → double, Boolean → bool, DateTime → timestamp
  UTC, Date → date32, anything else → string; lists as JSON strings), one row group per page;
  partitioned by the day of a column, a ZIP of Hive-style `<column>_date=YYYY-MM-DD/part-N.parquet`
  files (a partition starts a new file whenever the rows' day changes).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from router.exports.definitions import Column

__all__ = ["csv_chunks", "flatten", "ndjson_chunks", "parquet_chunks", "partitioned_parquet_chunks"]

Pages = AsyncIterator[list[dict[str, Any]]]
_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _pick(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = row
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def flatten(row: dict[str, Any], columns: Sequence[Column]) -> list[Any]:
    return [_pick(row, column.path) for column in columns]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return value


# Scalars the csv module writes correctly as they come (None as an empty field).
_PLAIN_SCALARS = frozenset({"Int", "Float", "String", "ID", "DateTime", "Date", "Time"})
_BOOLEAN_CELLS = {True: "true", False: "false", None: ""}


def _csv_row_function(columns: Sequence[Column]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """One function turning a row into its CSV cells, generated from the columns: a million-row
    export calls it a million times, and a loop over columns with a call per cell costs about
    as much as the rest of the export together. Paths are GraphQL names (validated against the
    schema, so safe to embed); a null parent object makes its columns empty."""
    cells: list[str] = []
    for column in columns:
        expression = "row"
        for depth, key in enumerate(column.path):
            expression = (
                f"{expression}.get({key!r})" if depth == 0 else f"({expression} or _EMPTY).get({key!r})"
            )
        if column.is_list or column.type_name not in _PLAIN_SCALARS | {"Boolean"}:
            cells.append(f"_cell({expression})")
        elif column.type_name == "Boolean":
            cells.append(f"_BOOLEAN_CELLS[{expression}]")
        else:
            cells.append(expression)
    source = f"def row_cells(row):\n    return ({', '.join(cells)},)\n"
    namespace: dict[str, Any] = {"_cell": _cell, "_BOOLEAN_CELLS": _BOOLEAN_CELLS, "_EMPTY": {}}
    # Only column paths (GraphQL names, embedded with repr) reach the source: no caller text.
    exec(compile(source, "<csv row>", "exec"), namespace)
    function: Callable[[dict[str, Any]], tuple[Any, ...]] = namespace["row_cells"]
    return function


async def csv_chunks(columns: Sequence[Column], pages: Pages) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line breaks
    writer.writerow([column.name for column in columns])
    yield buffer.getvalue().encode("utf-8")
    row_cells = _csv_row_function(columns)
    async for page in pages:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(row_cells, page))
        yield buffer.getvalue().encode("utf-8")


async def ndjson_chunks(pages: Pages) -> AsyncIterator[bytes]:
    async for page in pages:
        yield b"".join(orjson.dumps(row) + b"\n" for row in page)


# -- Parquet ------------------------------------------------------------------------------------


def _arrow_type(column: Column) -> pa.DataType:
    if column.is_list:
        return pa.string()
    return {
        "Int": pa.int64(),
        "Float": pa.float64(),
        "Boolean": pa.bool_(),
        "DateTime": pa.timestamp("us", tz="UTC"),
        "Date": pa.date32(),
    }.get(column.type_name, pa.string())


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([pa.field(column.name, _arrow_type(column)) for column in columns])


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _arrow_value(value: Any, column: Column, type_: pa.DataType) -> Any:
    if value is None:
        return None
    if column.is_list or (pa.types.is_string(type_) and isinstance(value, list | dict)):
        return orjson.dumps(value).decode()
    if pa.types.is_timestamp(type_):
        return _datetime(value)
    if pa.types.is_date32(type_):
        return date.fromisoformat(value) if isinstance(value, str) else value
    if pa.types.is_string(type_) and not isinstance(value, str):
        return str(value)
    return value


def _table(page: list[dict[str, Any]], columns: Sequence[Column], schema: pa.Schema) -> pa.Table:
    data = {
        column.name: [_arrow_value(_pick(row, column.path), column, field.type) for row in page]
        for column, field in zip(columns, schema, strict=True)
    }
    return pa.Table.from_pydict(data, schema=schema)


class _Sink(io.RawIOBase):
    """A write-only, non-seekable stream whose bytes are drained as they are produced."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._buffer += chunk
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        chunk = bytes(self._buffer)
        self._buffer.clear()
        return chunk


async def parquet_chunks(columns: Sequence[Column], pages: Pages) -> AsyncIterator[bytes]:
    schema = arrow_schema(columns)
    sink = _Sink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    try:
        async for page in pages:
            if page:
                writer.write_table(_table(page, columns, schema))
            if chunk := sink.drain():
                yield chunk
    finally:
        writer.close()
    yield sink.drain()


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            moment = _datetime(value)
        except ValueError:
            return value[:10]
        return moment.date().isoformat() if moment is not None else _NULL_PARTITION
    return _NULL_PARTITION


async def partitioned_parquet_chunks(
    columns: Sequence[Column], pages: Pages, partition: Column
) -> AsyncIterator[bytes]:
    schema = arrow_schema(columns)
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED)
    current: str | None = None
    parts = 0
    entry: Any = None
    writer: pq.ParquetWriter | None = None

    def close_part() -> None:
        nonlocal writer, entry
        if writer is not None:
            writer.close()
            entry.close()
        writer = entry = None

    try:
        async for page in pages:
            start = 0
            for index, row in enumerate(page):
                day = _day(_pick(row, partition.path))
                if day == current:
                    continue
                if writer is not None and index > start:
                    writer.write_table(_table(page[start:index], columns, schema))
                close_part()
                current, start = day, index
                name = f"{partition.name}_date={current}/part-{parts:05d}.parquet"
                entry = archive.open(name, "w", force_zip64=True)
                parts += 1
                writer = pq.ParquetWriter(pa.PythonFile(entry, mode="w"), schema)
            if writer is not None and len(page) > start:
                writer.write_table(_table(page[start:], columns, schema))
            if chunk := sink.drain():
                yield chunk
        close_part()
    finally:
        close_part()
        archive.close()
    yield sink.drain()
