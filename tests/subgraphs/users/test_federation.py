"""Federation: the subgraph SDL and batched entity resolution (one SQL statement per batch)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from subgraphs.users.models import REGIONS, STATUSES, UNITS
from subgraphs.users.store import UserRecord
from subgraphs.users.types import Region, Units, UserStatus
from tests.subgraphs.users.harness import UsersServer

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id displayName region } }
}
"""


@contextmanager
def _count_statements(users: UsersServer) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = users.app.state.databases.primary.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _seed(users: UsersServer, count: int) -> list[UserRecord]:
    now = datetime.now(UTC)
    records = []
    for i in range(count):
        user_id = uuid.uuid4()
        records.append(
            UserRecord(
                id=user_id, region=["EU", "RU", "NA", "ASIA"][i % 4], email=f"{user_id.hex}@example.com",
                display_name=f"Entity {i}", password_hash="x", roles=("user",), units="METRIC", timezone="UTC",
                birth_year=None, height_cm=None, weight_kg=None, status="ACTIVE",
                created_at=now + timedelta(microseconds=i), updated_at=now,
            )
        )
    inserted = await users.app.state.service.store.create_users_bulk(records=[(r, r.email) for r in records])
    assert inserted == count
    return records


async def test_service_sdl(users: UsersServer) -> None:
    result = await users.gql("{ _service { sdl } }")
    sdl = result.data["_service"]["sdl"]
    assert '@link(url: "https://specs.apollo.dev/federation/v2.7"' in sdl
    assert 'type User @key(fields: "id")' in sdl
    assert 'users(filter: UserFilter = null, first: Int! = 20, after: String = null): UserConnection! @authenticated @requiresScopes(scopes: [["admin:users"]])' in sdl
    assert "email: String @authenticated" in sdl
    assert "register(input: RegisterInput!): AuthPayload!" in sdl


async def test_one_hundred_entities_in_one_statement(users: UsersServer) -> None:
    records = await _seed(users, 100)
    representations: list[dict[str, Any]] = [{"__typename": "User", "id": str(r.id)} for r in reversed(records)]
    with _count_statements(users) as statements:
        result = await users.gql(ENTITIES, {"representations": representations})
    assert not result.errors, result.errors
    assert len(statements) == 1, statements
    assert "users" in statements[0]
    entities = result.data["_entities"]
    assert [e["id"] for e in entities] == [str(r.id) for r in reversed(records)]
    assert entities[0] == {"id": str(records[-1].id), "displayName": "Entity 99", "region": "ASIA"}


async def test_unknown_and_malformed_representations_resolve_to_null(users: UsersServer) -> None:
    [record] = await _seed(users, 1)
    representations = [
        {"__typename": "User", "id": str(uuid.uuid4())},
        {"__typename": "User", "id": str(record.id)},
        {"__typename": "User", "id": "not-a-uuid"},
        {"__typename": "User", "id": str(record.id)},
    ]
    with _count_statements(users) as statements:
        result = await users.gql(ENTITIES, {"representations": representations})
    assert len(statements) == 1
    assert [e and e["id"] for e in result.data["_entities"]] == [None, str(record.id), None, str(record.id)]


async def test_private_fields_on_entities_need_the_owner_or_admin(users: UsersServer) -> None:
    [record] = await _seed(users, 1)
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName email } } }"
    result = await users.gql(query, {"r": [{"__typename": "User", "id": str(record.id)}]})
    assert result.data["_entities"] == [{"displayName": record.display_name, "email": None}]
    assert result.codes == ["UNAUTHENTICATED"]


def test_graphql_enums_match_the_store() -> None:
    assert [r.value for r in Region] == list(REGIONS)
    assert [u.value for u in Units] == list(UNITS)
    assert [s.value for s in UserStatus] == list(STATUSES)
