"""DataLoader builders over store functions that take id lists (DESIGN §1: store.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

__all__ = ["group_by_keys", "grouped_loader", "keyed_loader", "order_by_keys"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def order_by_keys(keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]) -> list[V | None]:
    """Rows in the order of ``keys`` (DataLoader's contract), None where a key has no row."""
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def group_by_keys(keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]) -> list[list[V]]:
    """One list per key (for list fields), empty where a key has no rows; row order kept."""
    groups: defaultdict[K, list[V]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [groups.get(k, []) for k in keys]


def keyed_loader(
    fetch: Callable[[list[K]], Awaitable[Iterable[V]]],
    key: Callable[[V], K],
    *,
    max_batch_size: int | None = None,
) -> DataLoader[K, V | None]:
    """A per-request loader: ONE ``fetch`` call per batch of distinct keys."""

    async def load(keys: list[K]) -> list[V | None]:
        return order_by_keys(keys, await fetch(list(keys)), key)

    return DataLoader(load_fn=load, max_batch_size=max_batch_size)


def grouped_loader(
    fetch: Callable[[list[K]], Awaitable[Iterable[V]]],
    key: Callable[[V], K],
    *,
    max_batch_size: int | None = None,
) -> DataLoader[K, list[V]]:
    """Like :func:`keyed_loader` for one-to-many relations: each key gets a list."""

    async def load(keys: list[K]) -> list[list[V]]:
        return group_by_keys(keys, await fetch(list(keys)), key)

    return DataLoader(load_fn=load, max_batch_size=max_batch_size)
