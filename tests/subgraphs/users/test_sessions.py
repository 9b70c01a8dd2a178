"""Refresh rotation, reuse detection, logout and password changes."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text, update

from auth.refresh import hash_refresh_token
from subgraphs.users.models import RefreshToken
from tests.subgraphs.users.harness import PASSWORD, UsersServer

REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken user { id email } } }"
ME = "{ me { id } }"
LOGOUT = "mutation { logout }"
CHANGE = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }"


async def test_refresh_rotates_the_token(users: UsersServer) -> None:
    account = await users.register()
    first = await users.gql(REFRESH, {"t": account["refreshToken"]})
    assert not first.errors, first.errors
    rotated = first.data["refreshToken"]
    assert rotated["refreshToken"] != account["refreshToken"]
    assert rotated["user"] == {"id": account["user"]["id"], "email": account["user"]["email"]}
    # The successor works, and so does the access token it came with.
    second = await users.gql(REFRESH, {"t": rotated["refreshToken"]})
    assert not second.errors
    me = await users.gql(ME, token=second.data["refreshToken"]["accessToken"])
    assert me.data["me"]["id"] == account["user"]["id"]


async def test_reusing_a_spent_refresh_token_revokes_the_family(users: UsersServer) -> None:
    account = await users.register()
    rotated = (await users.gql(REFRESH, {"t": account["refreshToken"]})).data["refreshToken"]
    reuse = await users.gql(REFRESH, {"t": account["refreshToken"]})
    assert reuse.codes == ["UNAUTHENTICATED"]
    assert reuse.errors[0]["extensions"]["reason"] == "refresh_token_reused"
    # The whole family is gone: the legitimate successor no longer refreshes ...
    successor = await users.gql(REFRESH, {"t": rotated["refreshToken"]})
    assert successor.codes == ["UNAUTHENTICATED"]
    # ... and access tokens of that session stop working at once.
    me = await users.gql(ME, token=rotated["accessToken"])
    assert me.codes == ["UNAUTHENTICATED"]
    # Another session of the same account is untouched.
    other = await users.login(account["user"]["email"])
    assert (await users.gql(ME, token=other.data["login"]["accessToken"])).data["me"]["id"] == account["user"]["id"]


async def test_garbage_refresh_tokens_are_rejected(users: UsersServer) -> None:
    for token in ["", "nonsense", "0" * 32 + "." + "A" * 43]:
        result = await users.gql(REFRESH, {"t": token})
        assert result.codes == ["UNAUTHENTICATED"], token


async def test_logout_ends_the_session(users: UsersServer) -> None:
    account = await users.register()
    assert (await users.gql(LOGOUT, token=account["accessToken"])).data == {"logout": True}
    assert (await users.gql(ME, token=account["accessToken"])).codes == ["UNAUTHENTICATED"]
    assert (await users.gql(REFRESH, {"t": account["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    # Logging in again starts a fresh session.
    again = await users.login(account["user"]["email"])
    assert (await users.gql(ME, token=again.data["login"]["accessToken"])).data["me"]["id"] == account["user"]["id"]


async def test_logout_requires_authentication(users: UsersServer) -> None:
    assert (await users.gql(LOGOUT)).codes == ["UNAUTHENTICATED"]


async def test_change_password_ends_other_sessions(users: UsersServer) -> None:
    account = await users.register()
    other = (await users.login(account["user"]["email"])).data["login"]
    changed = await users.gql(CHANGE, {"c": PASSWORD, "n": "Brand-new-pass-2"}, token=account["accessToken"])
    assert changed.data == {"changePassword": True}
    # The session that changed the password continues; the other one is ended.
    assert (await users.gql(ME, token=account["accessToken"])).data["me"]["id"] == account["user"]["id"]
    assert (await users.gql(ME, token=other["accessToken"])).codes == ["UNAUTHENTICATED"]
    assert (await users.gql(REFRESH, {"t": other["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await users.login(account["user"]["email"])).codes == ["UNAUTHENTICATED"]
    assert not (await users.login(account["user"]["email"], "Brand-new-pass-2")).errors


async def test_change_password_checks_the_current_one(users: UsersServer) -> None:
    account = await users.register()
    wrong = await users.gql(CHANGE, {"c": "not-my-password", "n": "Brand-new-pass-2"}, token=account["accessToken"])
    assert wrong.codes == ["BAD_USER_INPUT"]
    assert wrong.fields == ["currentPassword"]
    weak = await users.gql(CHANGE, {"c": PASSWORD, "n": "short"}, token=account["accessToken"])
    assert weak.codes == ["BAD_USER_INPUT"]
    assert weak.fields == ["newPassword"]
    assert not (await users.login(account["user"]["email"])).errors


async def test_expired_refresh_token_is_rejected(users: UsersServer) -> None:
    account = await users.register()
    async with users.app.state.databases.primary.begin() as connection:
        await connection.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hash_refresh_token(account["refreshToken"]))
            .values(expires_at=text("now() - interval '1 second'"))
        )
    result = await users.gql(REFRESH, {"t": account["refreshToken"]})
    assert result.codes == ["UNAUTHENTICATED"]
    assert result.errors[0]["extensions"]["reason"] == "refresh_token_expired"


async def test_concurrent_use_of_one_refresh_token_has_one_winner(users: UsersServer) -> None:
    account = await users.register()
    results = await asyncio.gather(*(users.gql(REFRESH, {"t": account["refreshToken"]}) for _ in range(2)))
    assert sorted(len(r.errors) for r in results) == [0, 1]
    loser = next(r for r in results if r.errors)
    assert loser.codes == ["UNAUTHENTICATED"]


async def test_a_session_cannot_be_refreshed_past_its_maximum_age(users: UsersServer) -> None:
    account = await users.register()
    rotated = (await users.gql(REFRESH, {"t": account["refreshToken"]})).data["refreshToken"]
    family = RefreshToken.family_id
    async with users.app.state.databases.primary.begin() as connection:
        [family_id] = (
            await connection.execute(
                select(family).where(RefreshToken.token_hash == hash_refresh_token(rotated["refreshToken"]))
            )
        ).scalars()
        await connection.execute(
            update(RefreshToken)
            .where(family == family_id)
            .values(family_started_at=text("now() - interval '91 days'"))
        )
    result = await users.gql(REFRESH, {"t": rotated["refreshToken"]})
    assert result.codes == ["UNAUTHENTICATED"]
    assert result.errors[0]["extensions"]["reason"] == "refresh_token_expired"
