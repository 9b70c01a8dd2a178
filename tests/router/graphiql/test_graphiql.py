"""GraphiQL at /graphiql: bundled assets, the admin session check, and a real headless
Chromium that signs in through the router's `login` mutation and runs a query.

The router here is the real transport + pipeline (authentication, introspection policy) over a
small users-like subgraph on loopback whose `login` issues real HS256 access tokens.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLError

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from router.graphiql import GraphiQLConfig, graphiql_routes
from router.graphiql.routes import STATIC_DIRECTORY, default_login_mutation
from router.security.authn import Authenticator
from tests.router.caching.support import AUTH, JSON_HEADERS, bearer, router_app
from tests.router.graphiql.browser import headless_chromium
from tests.router.support.federation import supergraph_sdl
from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import running_server

_SUBGRAPH_SDL = """
enum Role { USER COACH ADMIN BI }
input LoginInput { email: String! password: String! }
type AuthPayload { accessToken: String! refreshToken: String! user: User! }
type User @key(fields: "id") { id: ID! displayName: String! roles: [Role!] }
type Query { users: [User!]! }
type Mutation { login(input: LoginInput!): AuthPayload! }
"""
_SUPERGRAPH = """
enum Role @join__type(graph: USERS) { USER COACH ADMIN BI }
input LoginInput @join__type(graph: USERS) { email: String! password: String! }
type AuthPayload @join__type(graph: USERS) { accessToken: String! refreshToken: String! user: User! }
type User @join__type(graph: USERS, key: "id") { id: ID! displayName: String! roles: [Role!] }
type Query @join__type(graph: USERS) { users: [User!]! }
type Mutation @join__type(graph: USERS) { login(input: LoginInput!): AuthPayload! }
"""
_ACCOUNTS = {
    "admin@fitgraph.test": {
        "id": "1",
        "displayName": "Demo Admin",
        "roles": ["ADMIN"],
        "password": "s3cret-admin",
    },
    "runner@fitgraph.test": {
        "id": "2",
        "displayName": "Demo Runner",
        "roles": ["USER"],
        "password": "s3cret-user",
    },
}
assert AUTH.hs256_secret is not None
_ISSUER = TokenIssuer(
    KeyRing(),
    issuer=AUTH.issuer,
    audience=AUTH.audience,
    hs256_secret=AUTH.hs256_secret.get_secret_value().encode(),
)


def _login(_root: Any, _info: Any, input: dict[str, str]) -> dict[str, Any]:
    account = _ACCOUNTS.get(input["email"])
    if account is None or account["password"] != input["password"]:
        raise GraphQLError("Invalid e-mail or password", extensions={"code": "UNAUTHENTICATED"})
    roles = [str(role).lower() for role in account["roles"]]
    token = _ISSUER.issue(str(account["id"]), roles=roles, symmetric=True)
    user = {key: account[key] for key in ("id", "displayName", "roles")}
    return {"accessToken": token, "refreshToken": "unused", "user": user}


@dataclass
class Router:
    base_url: str
    users: TestSubgraph


@pytest.fixture(scope="module")
async def router() -> AsyncIterator[Router]:
    users = TestSubgraph(
        _SUBGRAPH_SDL,
        resolvers={
            "Mutation.login": _login,
            "Query.users": lambda _root, _info: [
                {key: account[key] for key in ("id", "displayName", "roles")}
                for account in _ACCOUNTS.values()
            ],
        },
        entities={"User": lambda rep: None},
    )
    async with running_subgraphs({"users": users}) as urls:
        sdl = supergraph_sdl(["users"], _SUPERGRAPH).replace("http://127.0.0.1:9/users", urls["users"])
        routes = graphiql_routes(GraphiQLConfig(enabled=True), authenticator=Authenticator(AUTH))
        async with running_server(router_app(sdl, routes=routes)) as base_url:
            yield Router(base_url, users)


async def test_the_page_and_its_bundled_assets_are_served_locally(router: Router) -> None:
    async with httpx.AsyncClient(base_url=router.base_url) as client:
        page = await client.get("/graphiql")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "http://" not in page.text and "https://" not in page.text  # no CDN
        for asset in ("graphiql.min.js", "react.production.min.js", "react-dom.production.min.js", "app.js"):
            assert f"/graphiql/static/{asset}" in page.text
            served = await client.get(f"/graphiql/static/{asset}")
            assert served.status_code == 200
            assert served.content == (STATIC_DIRECTORY / asset).read_bytes()
    total = sum(path.stat().st_size for path in STATIC_DIRECTORY.iterdir())
    assert total < 4 * 1024 * 1024


async def test_the_page_signs_in_with_the_first_party_login_operation(router: Router) -> None:
    async with httpx.AsyncClient(base_url=router.base_url) as client:
        page = (await client.get("/graphiql")).text
    marker = 'data-login-mutation="'
    embedded = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    assert embedded.replace("&#x27;", "'").replace("&quot;", '"') == default_login_mutation()
    assert default_login_mutation().startswith("mutation Login($input: LoginInput!)")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"authorization": "Bearer forged.token.value"}, 401),
        (bearer("2", "user"), 403),
        (bearer("1", "admin"), 200),
    ],
)
async def test_the_session_check_admits_admins_only(
    router: Router, headers: dict[str, str], status: int
) -> None:
    async with httpx.AsyncClient(base_url=router.base_url) as client:
        response = await client.get("/graphiql/session", headers=headers)
    assert response.status_code == status


async def test_introspection_is_for_admins(router: Router) -> None:
    query = {"query": "{ __schema { queryType { name } } }"}
    async with httpx.AsyncClient(base_url=router.base_url) as client:
        admin = await client.post("/graphql", json=query, headers=bearer("1", "admin"))
        user = await client.post("/graphql", json=query, headers=bearer("2", "user"))
        anonymous = await client.post("/graphql", json=query, headers=JSON_HEADERS)
    assert admin.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert "errors" in user.json() and "errors" in anonymous.json()


async def _sign_in(page: Any, email: str, password: str) -> None:
    await page.wait_for("!document.getElementById('login').hidden")
    await page.evaluate(
        f"document.getElementById('email').value = {email!r};"
        f"document.getElementById('password').value = {password!r};"
        "document.getElementById('login-button').click(); true"
    )


async def test_an_admin_signs_in_and_runs_a_query_in_headless_chromium(
    router: Router, tmp_path: Path
) -> None:
    query = "{ users { displayName } }"
    url = f"{router.base_url}/graphiql?query={urllib.parse.quote(query)}"
    async with headless_chromium(tmp_path / "profile") as page:
        await page.goto(url)
        await _sign_in(page, "admin@fitgraph.test", "s3cret-admin")
        await page.wait_for("!!document.querySelector('.graphiql-execute-button')")
        # The docs show the API schema, fetched by introspection with the admin's token.
        await page.evaluate(
            "document.querySelector('[aria-label=\"Show Documentation Explorer\"]').click(); true"
        )
        docs = await page.wait_for(
            "(document.querySelector('.graphiql-doc-explorer') || {innerText: ''}).innerText.includes('Mutation')"
            " && document.querySelector('.graphiql-doc-explorer').innerText"
        )
        await page.evaluate("document.querySelector('.graphiql-execute-button').click(); true")
        shown = await page.wait_for(
            "(document.querySelector('.result-window') || {innerText: ''}).innerText.includes('Demo Runner')"
            " && document.querySelector('.result-window').innerText"
        )
        token = await page.evaluate("sessionStorage.getItem('fitgraph.graphiql.token')")
    assert "Demo Admin" in shown and "Demo Runner" in shown
    assert "Query" in docs and "join__" not in docs
    assert isinstance(token, str) and token.count(".") == 2
    # GraphiQL's requests carried the admin's token: the router forwarded it to the subgraph.
    forwarded = [
        request.headers.get("authorization") for request in router.users.received if "users" in request.query
    ]
    assert forwarded and forwarded[-1] == f"Bearer {token}"


async def test_a_wrong_password_then_a_non_admin_are_refused_in_headless_chromium(
    router: Router, tmp_path: Path
) -> None:
    async with headless_chromium(tmp_path / "profile") as page:
        await page.goto(f"{router.base_url}/graphiql")
        await _sign_in(page, "admin@fitgraph.test", "wrong")
        message = await page.wait_for("document.getElementById('login-error').textContent")
        await _sign_in(page, "runner@fitgraph.test", "s3cret-user")
        await page.wait_for("!document.getElementById('refused').hidden")
        mounted = await page.evaluate("!!document.querySelector('.graphiql-container')")
        token = await page.evaluate("sessionStorage.getItem('fitgraph.graphiql.token')")
    assert message == "Wrong e-mail or password"
    assert mounted is False and token is None
