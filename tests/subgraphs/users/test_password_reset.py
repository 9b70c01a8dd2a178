"""Password reset: delivered out of band, single use, expiring, stored hashed."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text, update

from auth.refresh import hash_opaque_token
from subgraphs.users.models import PasswordReset
from tests.subgraphs.users.harness import UsersServer

REQUEST = "mutation($e: String!) { requestPasswordReset(email: $e) }"
RESET = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }"


async def test_reset_flow_is_single_use_and_ends_sessions(users: UsersServer) -> None:
    account = await users.register()
    email = account["user"]["email"]
    result = await users.gql(REQUEST, {"e": email.upper()})
    assert result.body == {"data": {"requestPasswordReset": True}}
    token = users.sender.last_token_for(email)
    assert token is not None and token not in str(result.body)

    # Only the hash is stored.
    async with users.app.state.databases.primary.connect() as connection:
        stored = (await connection.execute(select(PasswordReset.token_hash))).scalars().all()
    assert hash_opaque_token(token) in stored
    assert token not in stored

    done = await users.gql(RESET, {"t": token, "p": "Reset-password-7"})
    assert done.data == {"resetPassword": True}
    assert (await users.login(email, "Reset-password-7")).errors == []
    # Existing sessions were ended.
    assert (await users.gql("{ me { id } }", token=account["accessToken"])).codes == ["UNAUTHENTICATED"]
    # Single use.
    again = await users.gql(RESET, {"t": token, "p": "Another-password-8"})
    assert again.codes == ["BAD_USER_INPUT"]
    assert again.fields == ["token"]


async def test_unknown_email_answers_the_same_and_sends_nothing(users: UsersServer) -> None:
    before = len(users.sender.messages)
    result = await users.gql(REQUEST, {"e": users.new_email("nobody")})
    assert result.body == {"data": {"requestPasswordReset": True}}
    assert len(users.sender.messages) == before


async def test_expired_token_is_rejected(users: UsersServer) -> None:
    account = await users.register()
    email = account["user"]["email"]
    await users.gql(REQUEST, {"e": email})
    token = users.sender.last_token_for(email)
    assert token is not None
    # Age the token in the database rather than sleeping past its lifetime.
    async with users.app.state.databases.primary.begin() as connection:
        await connection.execute(
            update(PasswordReset)
            .where(PasswordReset.token_hash == hash_opaque_token(token))
            .values(expires_at=text("now() - interval '1 second'"))
        )
    result = await users.gql(RESET, {"t": token, "p": "Reset-password-7"})
    assert result.codes == ["BAD_USER_INPUT"]
    assert (await users.login(email, "Reset-password-7")).codes == ["UNAUTHENTICATED"]


async def test_a_newer_request_invalidates_the_older_token(users: UsersServer) -> None:
    account = await users.register()
    email = account["user"]["email"]
    await users.gql(REQUEST, {"e": email})
    first = users.sender.last_token_for(email)
    await users.gql(REQUEST, {"e": email})
    second = users.sender.last_token_for(email)
    assert first and second and first != second
    assert (await users.gql(RESET, {"t": first, "p": "Reset-password-7"})).codes == ["BAD_USER_INPUT"]
    assert (await users.gql(RESET, {"t": second, "p": "Reset-password-7"})).data == {"resetPassword": True}


async def test_weak_new_password_keeps_the_token_usable(users: UsersServer) -> None:
    account = await users.register()
    email = account["user"]["email"]
    await users.gql(REQUEST, {"e": email})
    token = users.sender.last_token_for(email)
    assert token is not None
    weak = await users.gql(RESET, {"t": token, "p": "short"})
    assert weak.codes == ["BAD_USER_INPUT"]
    assert weak.fields == ["newPassword"]
    assert (await users.gql(RESET, {"t": token, "p": "Reset-password-7"})).data == {"resetPassword": True}


async def test_bad_inputs(users: UsersServer) -> None:
    bad_email = await users.gql(REQUEST, {"e": "not-an-email"})
    assert bad_email.codes == ["BAD_USER_INPUT"] and bad_email.fields == ["email"]
    unknown = await users.gql(RESET, {"t": uuid.uuid4().hex, "p": "Reset-password-7"})
    assert unknown.codes == ["BAD_USER_INPUT"] and unknown.fields == ["token"]


async def test_reset_mails_per_account_are_limited(users: UsersServer) -> None:
    account = await users.register()
    email = account["user"]["email"]
    limit = users.settings.password_reset_requests_per_hour
    for _ in range(limit + 2):
        result = await users.gql(REQUEST, {"e": email})
        assert result.body == {"data": {"requestPasswordReset": True}}
    sent = [m for m in users.sender.messages if m.email == email]
    assert len(sent) == limit
