"""Registration, login, me, profile updates over real HTTP on PostgreSQL."""

from __future__ import annotations

import uuid

from auth.passwords import PasswordHasher
from tests.subgraphs.users.harness import PASSWORD, UsersServer

ME = "{ me { id email displayName region roles status units timezone birthYear heightCm weightKg createdAt } }"


async def test_register_returns_tokens_and_the_new_user(users: UsersServer) -> None:
    email = users.new_email()
    payload = await users.register(email=email, region="ASIA", name="  Ada   Lovelace ")
    assert payload["accessToken"].count(".") == 2
    assert payload["refreshToken"]
    assert payload["user"]["email"] == email
    assert payload["user"]["displayName"] == "Ada Lovelace"
    assert payload["user"]["region"] == "ASIA"
    assert payload["user"]["roles"] == ["USER"]
    assert payload["user"]["status"] == "ACTIVE"


async def test_login_then_me(users: UsersServer) -> None:
    email = users.new_email()
    registered = await users.register(email=email, region="NA")
    result = await users.login(email.upper())
    assert not result.errors
    token = result.data["login"]["accessToken"]
    me = await users.gql(ME, token=token)
    assert not me.errors
    assert me.data["me"]["id"] == registered["user"]["id"]
    assert me.data["me"]["email"] == email
    assert me.data["me"]["units"] == "METRIC"
    assert me.data["me"]["timezone"] == "UTC"


async def test_wrong_password_is_unauthenticated(users: UsersServer) -> None:
    email = users.new_email()
    await users.register(email=email)
    result = await users.login(email, "Wrong-password-1")
    assert result.codes == ["UNAUTHENTICATED"]
    assert result.data is None


async def test_unknown_email_gets_the_same_answer(users: UsersServer) -> None:
    result = await users.login(users.new_email(), PASSWORD)
    assert result.codes == ["UNAUTHENTICATED"]
    assert result.errors[0]["message"] == "Invalid e-mail or password"


async def test_me_requires_a_token(users: UsersServer) -> None:
    result = await users.gql(ME)
    assert result.codes == ["UNAUTHENTICATED"]


async def test_update_profile(users: UsersServer) -> None:
    account = await users.register()
    result = await users.gql(
        """mutation { updateProfile(input: {displayName: "Runner", units: IMPERIAL, timezone: "Europe/Berlin",
            birthYear: 1990, heightCm: 180.5, weightKg: 75}) { displayName units timezone birthYear heightCm weightKg } }""",
        token=account["accessToken"],
    )
    assert not result.errors, result.errors
    assert result.data["updateProfile"] == {
        "displayName": "Runner",
        "units": "IMPERIAL",
        "timezone": "Europe/Berlin",
        "birthYear": 1990,
        "heightCm": 180.5,
        "weightKg": 75.0,
    }
    me = await users.gql(ME, token=account["accessToken"])
    assert me.data["me"]["displayName"] == "Runner"
    assert me.data["me"]["weightKg"] == 75.0


async def test_other_users_private_fields_are_forbidden(users: UsersServer) -> None:
    alice = await users.register()
    bob = await users.register(name="Bob")
    result = await users.gql(
        "query($id: ID!) { user(id: $id) { id displayName email } }", {"id": bob["user"]["id"]}, token=alice["accessToken"]
    )
    assert result.data["user"]["displayName"] == "Bob"
    assert result.data["user"]["email"] is None
    assert result.codes == ["FORBIDDEN"]
    assert result.errors[0]["path"] == ["user", "email"]


async def test_login_rehashes_passwords_made_with_old_parameters(users: UsersServer) -> None:
    account = await users.register()
    user_id = uuid.UUID(account["user"]["id"])
    store = users.app.state.service.store
    old = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1)
    await store.update_user(user_id=user_id, region="EU", changes={"password_hash": old.hash(PASSWORD)})
    assert not (await users.login(account["user"]["email"])).errors
    [record] = await store.users_by_ids(ids=[user_id])
    current = PasswordHasher.for_tests()
    assert not current.needs_rehash(record.password_hash)
    assert current.verify(record.password_hash, PASSWORD)
