"""Region sharding: LIST partitions on PostgreSQL, and regions on separate databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text

from subgraphs.users.models import REGIONS
from tests.subgraphs.users.harness import REGISTER, UsersServer, postgres_database_url, users_server


async def test_users_table_is_list_partitioned_by_region(users: UsersServer) -> None:
    async with users.app.state.databases.primary.connect() as connection:
        strategy = (
            await connection.execute(
                text("SELECT partstrat::text FROM pg_partitioned_table WHERE partrelid = 'users'::regclass")
            )
        ).scalar_one()
        partitions = set(
            (
                await connection.execute(
                    text("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'users'::regclass")
                )
            ).scalars()
        )
    assert strategy == "l"
    assert partitions == {f"users_{region.lower()}" for region in REGIONS}


async def test_rows_land_in_their_region_partition(users: UsersServer) -> None:
    placed = {}
    for region in ("EU", "RU", "OCEANIA"):
        account = await users.register(region=region)
        placed[account["user"]["id"]] = f"users_{region.lower()}"
    async with users.app.state.databases.primary.connect() as connection:
        rows = await connection.execute(
            text("SELECT id::text, tableoid::regclass::text FROM users WHERE id::text = ANY(:ids)"),
            {"ids": list(placed)},
        )
        assert dict(rows.all()) == placed


async def test_regions_on_separate_databases(redis_prefix: str) -> None:
    async with postgres_database_url() as primary, postgres_database_url() as russia, users_server(
        primary, redis_prefix=redis_prefix, region_database_urls={"RU": russia}
    ) as server:
        databases = server.app.state.databases
        eu = await server.register(region="EU")
        ru = await server.register(region="RU")
        # The RU row lives only on the RU database; the EU row only on the primary.
        async with databases.for_region("RU").connect() as connection:
            ru_ids = set((await connection.execute(text("SELECT id::text FROM users"))).scalars())
        async with databases.primary.connect() as connection:
            primary_ids = set((await connection.execute(text("SELECT id::text FROM users"))).scalars())
            directory = set((await connection.execute(text("SELECT user_id::text FROM user_emails"))).scalars())
        assert ru_ids == {ru["user"]["id"]}
        assert primary_ids == {eu["user"]["id"]}
        assert directory == {eu["user"]["id"], ru["user"]["id"]}

        # E-mails stay unique across databases.
        taken = await server.gql(
            REGISTER,
            {"input": {"email": ru["user"]["email"].upper(), "password": "Whatever-pass-1", "displayName": "X", "region": "EU"}},
        )
        assert taken.codes == ["CONFLICT"]
        taken_ru = await server.gql(
            REGISTER,
            {"input": {"email": eu["user"]["email"], "password": "Whatever-pass-1", "displayName": "X", "region": "RU"}},
        )
        assert taken_ru.codes == ["CONFLICT"]
        async with databases.for_region("RU").connect() as connection:
            assert set((await connection.execute(text("SELECT id::text FROM users"))).scalars()) == ru_ids

        # Login, me and entities work across databases: one statement per database.
        login = await server.login(ru["user"]["email"])
        me = await server.gql("{ me { id region } }", token=login.data["login"]["accessToken"])
        assert me.data["me"] == {"id": ru["user"]["id"], "region": "RU"}
        counts: dict[str, int] = {"primary": 0, "ru": 0}

        def counter(name: str) -> Any:
            def record(*args: Any) -> None:
                counts[name] += 1

            return record

        primary_listener, ru_listener = counter("primary"), counter("ru")
        event.listen(databases.primary.sync_engine, "before_cursor_execute", primary_listener)
        event.listen(databases.for_region("RU").sync_engine, "before_cursor_execute", ru_listener)
        try:
            result = await server.gql(
                "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id region } } }",
                {"r": [{"__typename": "User", "id": ru["user"]["id"]}, {"__typename": "User", "id": eu["user"]["id"]}]},
            )
        finally:
            event.remove(databases.primary.sync_engine, "before_cursor_execute", primary_listener)
            event.remove(databases.for_region("RU").sync_engine, "before_cursor_execute", ru_listener)
        assert result.data["_entities"] == [
            {"id": ru["user"]["id"], "region": "RU"},
            {"id": eu["user"]["id"], "region": "EU"},
        ]
        assert counts == {"primary": 1, "ru": 1}

        # The admin listing merges both databases in creation order.
        admin = await server.make_admin()
        page = await server.gql("{ users(first: 10) { edges { node { id } } } }", token=admin["accessToken"])
        assert [e["node"]["id"] for e in page.data["users"]["edges"]] == [
            eu["user"]["id"],
            ru["user"]["id"],
            admin["user"]["id"],
        ]
