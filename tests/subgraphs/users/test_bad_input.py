"""Every bad-input path answers BAD_USER_INPUT (naming the field) or CONFLICT, and leaves no rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from subgraphs.users.models import User, UserEmail
from tests.subgraphs.users.harness import PASSWORD, REGISTER, UsersServer

UPDATE = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }"


async def _row_counts(users: UsersServer) -> tuple[int, int]:
    async with users.app.state.databases.primary.connect() as connection:
        user_rows = (await connection.execute(select(func.count()).select_from(User))).scalar_one()
        email_rows = (await connection.execute(select(func.count()).select_from(UserEmail))).scalar_one()
    return int(user_rows), int(email_rows)


def _register_input(users: UsersServer, **overrides: Any) -> dict[str, Any]:
    return {"email": users.new_email(), "password": PASSWORD, "displayName": "Name", "region": "EU", **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.com"}, "email"),
        ({"email": "spaces in@example.com"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "        "}, "password"),
        ({"password": "x" * 257}, "password"),
        ({"displayName": "   "}, "displayName"),
        ({"displayName": "x" * 65}, "displayName"),
        ({"displayName": "bell\u0007"}, "displayName"),
        ({"region": "MARS"}, "region"),
        ({"region": None}, "region"),
    ],
)
async def test_register_rejects_bad_input_without_rows(users: UsersServer, overrides: dict[str, Any], field: str) -> None:
    before = await _row_counts(users)
    result = await users.gql(REGISTER, {"input": _register_input(users, **overrides)})
    assert result.codes == ["BAD_USER_INPUT"], result.body
    assert result.fields == [field]
    assert result.data is None
    assert await _row_counts(users) == before


async def test_taken_email_is_a_conflict_case_insensitively(users: UsersServer) -> None:
    email = users.new_email()
    await users.register(email=email)
    before = await _row_counts(users)
    for variant in (email, email.upper(), f"  {email.title()} "):
        result = await users.gql(REGISTER, {"input": _register_input(users, email=variant)})
        assert result.codes == ["CONFLICT"], variant
        assert result.fields == ["email"]
    assert await _row_counts(users) == before


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"input": {"email": "nope", "password": PASSWORD}}, "email"),
        ({"input": {"email": "someone@example.com", "password": ""}}, "password"),
        ({"input": {"email": "someone@example.com"}}, "password"),
    ],
)
async def test_login_bad_input(users: UsersServer, variables: dict[str, Any], field: str) -> None:
    result = await users.gql("mutation($input: LoginInput!) { login(input: $input) { accessToken } }", variables)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.fields == [field]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"displayName": ""}, "displayName"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"birthYear": 1800}, "birthYear"),
        ({"birthYear": 3000}, "birthYear"),
        ({"heightCm": 10}, "heightCm"),
        ({"heightCm": 1000.5}, "heightCm"),
        ({"weightKg": 1}, "weightKg"),
        ({"weightKg": 9999}, "weightKg"),
        ({"units": "FURLONGS"}, "units"),
        ({"birthYear": "nineteen"}, "birthYear"),
    ],
)
async def test_update_profile_bad_input_changes_nothing(
    users: UsersServer, changes: dict[str, Any], field: str
) -> None:
    account = await users.register()
    # A valid change in the same input must not be applied either.
    result = await users.gql(UPDATE, {"input": {"displayName": "Changed", **changes}}, token=account["accessToken"])
    assert result.codes == ["BAD_USER_INPUT"], result.body
    assert result.fields == [field]
    me = await users.gql("{ me { displayName timezone birthYear } }", token=account["accessToken"])
    assert me.data["me"] == {"displayName": "Test User", "timezone": "UTC", "birthYear": None}


async def test_bad_user_id(users: UsersServer) -> None:
    account = await users.register()
    result = await users.gql('{ user(id: "123") { id } }', token=account["accessToken"])
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.fields == ["id"]
    missing = await users.gql('{ user(id: "00000000-0000-4000-8000-000000000000") { id } }', token=account["accessToken"])
    assert missing.body == {"data": {"user": None}}


async def test_documents_that_do_not_parse_or_validate(users: UsersServer) -> None:
    syntax = await users.gql("{ me { id ")
    assert syntax.codes == ["GRAPHQL_PARSE_FAILED"]
    unknown = await users.gql("{ me { shoeSize } }")
    assert unknown.codes == ["GRAPHQL_VALIDATION_FAILED"]
    missing_variable = await users.gql(REGISTER, {})
    assert missing_variable.codes == ["BAD_USER_INPUT"]
    assert missing_variable.fields == ["input"]
