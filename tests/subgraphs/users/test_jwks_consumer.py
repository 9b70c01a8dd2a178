"""Another subgraph verifies users-issued tokens through the users subgraph's JWKS."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.common.app import create_subgraph_app
from subgraphs.common.context import make_context_getter, require_auth
from subgraphs.common.identity import JwksAuthenticator, authenticator_for
from subgraphs.common.schema import build_schema
from subgraphs.common.settings import SubgraphSettings
from tests.subgraphs.users.harness import UsersServer
from tests.support.servers import running_server


@strawberry.type
class Query:
    @strawberry.field
    def whoami(self, info: Info[Any, Any]) -> str:
        return require_auth(info).subject


async def test_a_jwks_consumer_accepts_users_tokens(users: UsersServer) -> None:
    settings = SubgraphSettings(jwks_url=f"{users.url}/.well-known/jwks.json")
    authenticator = authenticator_for(settings)
    assert isinstance(authenticator, JwksAuthenticator)
    app = create_subgraph_app(
        schema=build_schema(query=Query),
        context_getter=make_context_getter(authenticator=authenticator),
        settings=settings,
        name="consumer",
    )
    account = await users.register()
    try:
        async with running_server(app) as url:
            ok = await users.client.post(
                f"{url}/graphql",
                json={"query": "{ whoami }"},
                headers={"authorization": f"Bearer {account['accessToken']}"},
            )
            assert ok.json() == {"data": {"whoami": account["user"]["id"]}}
            forged = await users.client.post(
                f"{url}/graphql",
                json={"query": "{ whoami }"},
                headers={"authorization": f"Bearer {account['accessToken'][:-4]}AAAA"},
            )
            assert forged.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        await authenticator.aclose()
