"""`make dev` mode: SQLite file, in-memory kv, a signing key created on first start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from auth.passwords import PasswordHasher
from subgraphs.users.app import create_app
from subgraphs.users.demo import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DEMO_PASSWORD,
    DEMO_USER_COUNT,
    demo_email,
    demo_user_id,
    demo_user_ids,
    load_demo_data,
)
from subgraphs.users.models import User
from subgraphs.users.reset import RecordingResetSender
from subgraphs.users.settings import Settings
from tests.subgraphs.users.harness import LOGIN, REGISTER
from tests.support.servers import running_server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'users.sqlite3'}",
        jwt_keys_dir=tmp_path / "keys",
        redis_url=None,
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


async def _gql(client: httpx.AsyncClient, url: str, query: str, variables: dict[str, object], token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers)
    body: dict = response.json()
    return body


async def test_register_login_me_on_sqlite(settings: Settings, client: httpx.AsyncClient, tmp_path: Path) -> None:
    sender = RecordingResetSender()
    app = create_app(settings, reset_sender=sender, password_hasher=PasswordHasher.for_tests())
    async with running_server(app) as url:
        registered = await _gql(
            client,
            url,
            REGISTER,
            {"input": {"email": "Dev@Example.com", "password": "Dev-password-1", "displayName": "Dev", "region": "RU"}},
        )
        assert "errors" not in registered, registered
        login = await _gql(client, url, LOGIN, {"input": {"email": "dev@example.com", "password": "Dev-password-1"}})
        token = login["data"]["login"]["accessToken"]
        me = await _gql(client, url, "{ me { id email region } }", {}, token)
        assert me["data"]["me"] == {
            "id": registered["data"]["register"]["user"]["id"],
            "email": "Dev@Example.com",
            "region": "RU",
        }
        taken = await _gql(
            client,
            url,
            REGISTER,
            {"input": {"email": "DEV@example.com", "password": "Dev-password-1", "displayName": "Dev", "region": "EU"}},
        )
        assert taken["errors"][0]["extensions"]["code"] == "CONFLICT"
        updated = await _gql(
            client, url, 'mutation { updateProfile(input: {displayName: "Dev 2", heightCm: 181}) { displayName heightCm } }', {}, token
        )
        assert updated["data"]["updateProfile"] == {"displayName": "Dev 2", "heightCm": 181.0}
        # Password reset (expiry compared in SQL) works on SQLite's text timestamps.
        requested = await _gql(client, url, 'mutation { requestPasswordReset(email: "dev@example.com") }', {})
        assert requested["data"] == {"requestPasswordReset": True}
        reset_token = sender.last_token_for("dev@example.com")
        reset = await _gql(
            client,
            url,
            "mutation($t: String!) { resetPassword(token: $t, newPassword: \"Dev-password-2\") }",
            {"t": reset_token},
        )
        assert reset["data"] == {"resetPassword": True}
        login = await _gql(client, url, LOGIN, {"input": {"email": "dev@example.com", "password": "Dev-password-2"}})
        token = login["data"]["login"]["accessToken"]
        # Sessions and revocation work with the in-memory kv too.
        refresh = login["data"]["login"]["refreshToken"]
        rotated = await _gql(client, url, "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }", {"t": refresh})
        assert "errors" not in rotated
        assert (await _gql(client, url, "mutation { logout }", {}, token))["data"] == {"logout": True}
        after = await _gql(client, url, "{ me { id } }", {}, token)
        assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # The signing key was created on first start and the JWKS served it.
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 1


async def test_key_directory_survives_restarts(settings: Settings, client: httpx.AsyncClient) -> None:
    hasher = PasswordHasher.for_tests()
    async with running_server(create_app(settings, password_hasher=hasher)) as url:
        registered = await _gql(
            client,
            url,
            REGISTER,
            {"input": {"email": "keep@example.com", "password": "Dev-password-1", "displayName": "K", "region": "EU"}},
        )
        token = registered["data"]["register"]["accessToken"]
        kids = (await client.get(f"{url}/.well-known/jwks.json")).json()
    async with running_server(create_app(settings, password_hasher=hasher)) as url:
        assert (await client.get(f"{url}/.well-known/jwks.json")).json() == kids
        me = await _gql(client, url, "{ me { email } }", {}, token)
        assert me["data"]["me"] == {"email": "keep@example.com"}


async def test_demo_data_is_idempotent_and_usable(settings: Settings, client: httpx.AsyncClient) -> None:
    hasher = PasswordHasher.for_tests()
    await load_demo_data(settings, hasher=hasher)
    await load_demo_data(settings, hasher=hasher)
    app = create_app(settings, password_hasher=hasher)
    async with running_server(app) as url:
        async with app.state.databases.primary.connect() as connection:
            count = (await connection.execute(select(func.count()).select_from(User))).scalar_one()
            regions = set((await connection.execute(select(User.region).distinct())).scalars())
        assert count == DEMO_USER_COUNT + 3
        assert len(regions) >= 5
        admin = await _gql(client, url, LOGIN, {"input": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}})
        token = admin["data"]["login"]["accessToken"]
        page = await _gql(client, url, "{ users(first: 5) { edges { node { email roles } } } }", {}, token)
        assert page["data"]["users"]["edges"][0]["node"] == {"email": ADMIN_EMAIL, "roles": ["ADMIN", "USER"]}
        # Cursor pagination works on SQLite too: every account exactly once, in creation order.
        seen: list[str] = []
        after = None
        while True:
            page = await _gql(
                client,
                url,
                "query($a: String) { users(first: 100, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
                {"a": after},
                token,
            )
            connection_page = page["data"]["users"]
            seen.extend(edge["node"]["id"] for edge in connection_page["edges"])
            if not connection_page["pageInfo"]["hasNextPage"]:
                break
            after = connection_page["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == DEMO_USER_COUNT + 3
        assert seen[3:] == [str(user_id) for user_id in demo_user_ids()]
        demo = await _gql(client, url, LOGIN, {"input": {"email": demo_email(7), "password": DEMO_PASSWORD}})
        assert demo["data"]["login"]["user"]["id"] == str(demo_user_ids()[6])


def test_demo_user_ids_are_deterministic() -> None:
    ids = demo_user_ids()
    assert len(ids) == DEMO_USER_COUNT == len(set(ids))
    assert ids == demo_user_ids()
    assert ids[0] == demo_user_id("user001@fitgraph.dev") == demo_user_id("USER001@fitgraph.dev")
    assert all(user_id.version == 5 for user_id in ids)
