"""Per-request DataLoaders of the users subgraph (built in get_context, never global)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from subgraphs.common.loaders import keyed_loader
from subgraphs.users.store import UserRecord, UserStore

__all__ = ["UserLoaders", "make_loaders"]


@dataclass(frozen=True, slots=True)
class UserLoaders:
    user_by_id: DataLoader[uuid.UUID, UserRecord | None]


def make_loaders(store: UserStore) -> UserLoaders:
    async def fetch(ids: list[uuid.UUID]) -> list[UserRecord]:
        return await store.users_by_ids(ids=ids)

    return UserLoaders(user_by_id=keyed_loader(fetch, lambda record: record.id))
