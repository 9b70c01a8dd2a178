"""Admin-only fields, pagination, roles and bans."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.users.harness import UsersServer

USERS = """
query($first: Int!, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id email region roles status } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SET_ROLES = "mutation($id: ID!, $roles: [Role!]!) { setRoles(userId: $id, roles: $roles) { id roles } }"
BAN = "mutation($id: ID!) { banUser(userId: $id) { id status } }"
UNBAN = "mutation($id: ID!) { unbanUser(userId: $id) { id status } }"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"


async def _all_pages(users: UsersServer, token: str, filter: dict[str, Any], first: int) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        result = await users.gql(USERS, {"first": first, "after": after, "filter": filter}, token=token)
        assert not result.errors, result.errors
        page = result.data["users"]
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


async def test_users_requires_admin(users: UsersServer) -> None:
    anonymous = await users.gql(USERS, {"first": 5})
    assert anonymous.codes == ["UNAUTHENTICATED"]
    plain = await users.register()
    forbidden = await users.gql(USERS, {"first": 5}, token=plain["accessToken"])
    assert forbidden.codes == ["FORBIDDEN"]
    assert forbidden.data is None


async def test_admin_can_read_private_fields_of_others(users: UsersServer) -> None:
    admin = await users.make_admin()
    other = await users.register()
    result = await users.gql(
        "query($id: ID!) { user(id: $id) { email roles status } }", {"id": other["user"]["id"]}, token=admin["accessToken"]
    )
    assert result.data["user"] == {"email": other["user"]["email"], "roles": ["USER"], "status": "ACTIVE"}


async def test_pagination_is_stable_and_complete(users: UsersServer) -> None:
    admin = await users.make_admin()
    marker = "pg" + admin["user"]["id"][:8]
    created = [await users.register(email=f"{marker}.{i}@example.com", region="SA") for i in range(7)]
    filter = {"emailContains": marker}
    pages_of_two = await _all_pages(users, admin["accessToken"], filter, 2)
    pages_of_three = await _all_pages(users, admin["accessToken"], filter, 3)
    expected = [account["user"]["id"] for account in created]
    assert [n["id"] for n in pages_of_two] == expected
    assert [n["id"] for n in pages_of_three] == expected
    # The same cursor always yields the same page.
    first = await users.gql(USERS, {"first": 3, "filter": filter}, token=admin["accessToken"])
    cursor = first.data["users"]["pageInfo"]["endCursor"]
    again_a = await users.gql(USERS, {"first": 2, "after": cursor, "filter": filter}, token=admin["accessToken"])
    again_b = await users.gql(USERS, {"first": 2, "after": cursor, "filter": filter}, token=admin["accessToken"])
    assert again_a.body == again_b.body
    assert [e["node"]["id"] for e in again_a.data["users"]["edges"]] == expected[3:5]


async def test_filters(users: UsersServer) -> None:
    admin = await users.make_admin()
    marker = "flt" + admin["user"]["id"][:8]
    ru = await users.register(email=f"{marker}.ru@example.com", region="RU")
    await users.register(email=f"{marker}.eu@example.com", region="EU")
    by_region = await _all_pages(users, admin["accessToken"], {"emailContains": marker, "regions": ["RU"]}, 10)
    assert [n["id"] for n in by_region] == [ru["user"]["id"]]
    await users.gql(SET_ROLES, {"id": ru["user"]["id"], "roles": ["COACH", "USER"]}, token=admin["accessToken"])
    coaches = await _all_pages(users, admin["accessToken"], {"emailContains": marker, "role": "COACH"}, 10)
    assert [n["id"] for n in coaches] == [ru["user"]["id"]]
    await users.gql(BAN, {"id": ru["user"]["id"]}, token=admin["accessToken"])
    banned = await _all_pages(users, admin["accessToken"], {"emailContains": marker, "status": "BANNED"}, 10)
    assert [n["id"] for n in banned] == [ru["user"]["id"]]
    # LIKE wildcards in the search text are literal.
    assert await _all_pages(users, admin["accessToken"], {"emailContains": marker + "%"}, 10) == []


async def test_bad_pagination_input(users: UsersServer) -> None:
    admin = await users.make_admin()
    for after in ["garbage", "dTF8bm90LWEtZGF0ZXx4", "", "%%%"]:
        if not after:
            continue
        result = await users.gql(USERS, {"first": 2, "after": after}, token=admin["accessToken"])
        assert result.codes == ["BAD_USER_INPUT"], after
        assert result.fields == ["after"]
    for first in [0, -1, 101]:
        result = await users.gql(USERS, {"first": first}, token=admin["accessToken"])
        assert result.codes == ["BAD_USER_INPUT"]
        assert result.fields == ["first"]


async def test_set_roles_takes_effect_on_refresh(users: UsersServer) -> None:
    admin = await users.make_admin()
    target = await users.register()
    result = await users.gql(SET_ROLES, {"id": target["user"]["id"], "roles": ["BI"]}, token=admin["accessToken"])
    assert result.data["setRoles"]["roles"] == ["BI"]
    refreshed = await users.gql(REFRESH, {"t": target["refreshToken"]})
    me = await users.gql("{ me { roles } }", token=refreshed.data["refreshToken"]["accessToken"])
    assert me.data["me"]["roles"] == ["BI"]


async def test_set_roles_rejects_bad_input(users: UsersServer) -> None:
    admin = await users.make_admin()
    target = await users.register()
    empty = await users.gql(SET_ROLES, {"id": target["user"]["id"], "roles": []}, token=admin["accessToken"])
    assert empty.codes == ["BAD_USER_INPUT"] and empty.fields == ["roles"]
    self_demote = await users.gql(SET_ROLES, {"id": admin["user"]["id"], "roles": ["USER"]}, token=admin["accessToken"])
    assert self_demote.codes == ["BAD_USER_INPUT"] and self_demote.fields == ["roles"]
    bad_id = await users.gql(SET_ROLES, {"id": "not-a-uuid", "roles": ["USER"]}, token=admin["accessToken"])
    assert bad_id.codes == ["BAD_USER_INPUT"] and bad_id.fields == ["userId"]
    missing = await users.gql(
        SET_ROLES, {"id": "00000000-0000-4000-8000-000000000000", "roles": ["USER"]}, token=admin["accessToken"]
    )
    assert missing.codes == ["NOT_FOUND"]
    plain = await users.gql(SET_ROLES, {"id": target["user"]["id"], "roles": ["ADMIN"]}, token=target["accessToken"])
    assert plain.codes == ["FORBIDDEN"]


async def test_ban_stops_tokens_and_refresh_and_login(users: UsersServer) -> None:
    admin = await users.make_admin()
    target = await users.register()
    assert (await users.gql("{ me { id } }", token=target["accessToken"])).data["me"] is not None
    banned = await users.gql(BAN, {"id": target["user"]["id"]}, token=admin["accessToken"])
    assert banned.data["banUser"]["status"] == "BANNED"
    assert (await users.gql("{ me { id } }", token=target["accessToken"])).codes == ["UNAUTHENTICATED"]
    assert (await users.gql(REFRESH, {"t": target["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    login = await users.login(target["user"]["email"])
    assert login.codes == ["FORBIDDEN"]

    unbanned = await users.gql(UNBAN, {"id": target["user"]["id"]}, token=admin["accessToken"])
    assert unbanned.data["unbanUser"]["status"] == "ACTIVE"
    # Old tokens stay dead; a new login works.
    assert (await users.gql("{ me { id } }", token=target["accessToken"])).codes == ["UNAUTHENTICATED"]
    fresh = await users.login(target["user"]["email"])
    assert (await users.gql("{ me { id } }", token=fresh.data["login"]["accessToken"])).data["me"]["id"] == target[
        "user"
    ]["id"]


async def test_ban_is_admin_only_and_not_self(users: UsersServer) -> None:
    admin = await users.make_admin()
    target = await users.register()
    assert (await users.gql(BAN, {"id": admin["user"]["id"]}, token=target["accessToken"])).codes == ["FORBIDDEN"]
    assert (await users.gql(BAN, {"id": target["user"]["id"]})).codes == ["UNAUTHENTICATED"]
    self_ban = await users.gql(BAN, {"id": admin["user"]["id"]}, token=admin["accessToken"])
    assert self_ban.codes == ["BAD_USER_INPUT"] and self_ban.fields == ["userId"]
