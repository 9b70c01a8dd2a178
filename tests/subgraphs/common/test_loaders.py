"""Loader helpers: order by requested keys, None/empty for missing, one fetch per batch."""

from __future__ import annotations

import asyncio

from subgraphs.common.loaders import group_by_keys, grouped_loader, keyed_loader, order_by_keys


def test_order_by_keys_follows_the_request_and_fills_gaps() -> None:
    rows = [{"id": 3}, {"id": 1}]
    assert order_by_keys([1, 2, 3], rows, lambda r: r["id"]) == [{"id": 1}, None, {"id": 3}]


def test_group_by_keys_keeps_row_order() -> None:
    rows = [("a", 1), ("b", 2), ("a", 3)]
    assert group_by_keys(["a", "c", "b"], rows, lambda r: r[0]) == [[("a", 1), ("a", 3)], [], [("b", 2)]]


async def test_keyed_loader_batches_and_deduplicates() -> None:
    calls: list[list[int]] = []

    async def fetch(ids: list[int]) -> list[tuple[int, str]]:
        calls.append(ids)
        return [(i, f"row{i}") for i in ids if i != 4]

    loader = keyed_loader(fetch, lambda row: row[0])
    results = await asyncio.gather(*(loader.load(i) for i in [5, 4, 5, 1]))
    assert results == [(5, "row5"), None, (5, "row5"), (1, "row1")]
    assert calls == [[5, 4, 1]]


async def test_grouped_loader() -> None:
    calls: list[list[str]] = []

    async def fetch(owners: list[str]) -> list[tuple[str, int]]:
        calls.append(owners)
        return [("ann", 1), ("ann", 2), ("bob", 3)]

    loader = grouped_loader(fetch, lambda row: row[0])
    assert await asyncio.gather(loader.load("bob"), loader.load("ann"), loader.load("cy")) == [
        [("bob", 3)],
        [("ann", 1), ("ann", 2)],
        [],
    ]
    assert len(calls) == 1
