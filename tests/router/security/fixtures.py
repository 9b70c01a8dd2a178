"""A real router (transport + pipeline with the edge security stages + Engine) over two real
subgraphs on loopback, with a JWKS served on loopback: for the end-to-end security tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from auth.keys import KeyRing
from router.config import RouterConfig
from router.engine import Engine
from router.pipeline import EngineHolder, Pipeline, Stage
from router.security.config import AuthConfig, AuthorizationConfig, RateLimitConfig
from router.stages.analysis import AnalysisStage
from router.stages.authn import AuthnStage
from router.stages.authz import AuthzStage
from router.stages.execution import ExecutionStage
from router.stages.headers import HeadersStage
from router.stages.ratelimit import RateLimitStage
from router.stages.transport import GraphQLTransport
from tests.router.security.support import AUDIENCE, ISSUER, JwksServer, issuer_for, serving_jwks
from tests.router.supergraph.sdl import join_graph_enum, supergraph_header
from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import running_server

ACCOUNTS_SDL = """
type Query {
  me: User
  users: [User!]!
  motd: String
}
type User @key(fields: "id") {
  id: ID!
  name: String!
  email: String
  salary: Int
}
"""

BILLING_SDL = """
type User @key(fields: "id") {
  id: ID!
  invoices: [Invoice!]
}
type Invoice {
  id: ID!
  amount: Int!
}
"""

_SECURITY_LINKS = (
    '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY, import: [{name: "@authenticated", as: "@mustLogIn"}])',
    '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY, import: ["@requiresScopes"])',
    '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY, import: ["@policy"])',
)
_SECURITY_DEFINITIONS = (
    "directive @mustLogIn on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
)
_SUPERGRAPH_BODY = """
type Query @join__type(graph: ACCOUNTS) @join__type(graph: BILLING) {
  me: User @join__field(graph: ACCOUNTS) @mustLogIn
  users: [User!]! @join__field(graph: ACCOUNTS)
  motd: String @join__field(graph: ACCOUNTS)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: BILLING, key: "id") {
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  email: String @join__field(graph: ACCOUNTS) @requiresScopes(scopes: [["profile:read"]])
  salary: Int @join__field(graph: ACCOUNTS) @policy(policies: [["hr"]])
  invoices: [Invoice!] @join__field(graph: BILLING) @requiresScopes(scopes: [["admin:read"]])
}

type Invoice @join__type(graph: BILLING) {
  id: ID!
  amount: Int!
}
"""


def supergraph_sdl(urls: dict[str, str]) -> str:
    """Accounts and billing, with @authenticated imported as @mustLogIn, @requiresScopes and @policy."""
    header = supergraph_header(
        links=_SECURITY_LINKS,
        definitions=_SECURITY_DEFINITIONS,
        types=("scalar requiresScopes__Scope", "scalar policy__Policy"),
    )
    graph_enum = join_graph_enum({"accounts": urls["accounts"], "billing": urls["billing"]})
    return f"{header}\n{graph_enum}{_SUPERGRAPH_BODY}"


USERS = [
    {"id": "1", "name": "Ada", "email": "ada@example.test", "salary": 100},
    {"id": "2", "name": "Grace", "email": "grace@example.test", "salary": 200},
]


def hr_policy(claims: Any, policies: frozenset[str]) -> set[str]:
    """The policy hook used by the tests (named in config as a "module:function")."""
    return {"hr"} if claims is not None and "hr" in claims.raw.get("departments", ()) else set()


@dataclass
class Backends:
    accounts: TestSubgraph
    billing: TestSubgraph
    sdl: str
    jwks: JwksServer
    ring: KeyRing

    def reset(self) -> None:
        self.accounts.reset()
        self.billing.reset()

    def token(self, subject: str = "u1", roles: tuple[str, ...] = ("user",), **extra: Any) -> str:
        return issuer_for(self.ring).issue(subject, roles=list(roles), extra=extra or None)


@pytest.fixture(scope="module")
async def backends() -> AsyncIterator[Backends]:
    accounts = TestSubgraph(
        ACCOUNTS_SDL,
        resolvers={
            "Query.me": lambda _root, _info: USERS[0],
            "Query.users": lambda _root, _info: USERS,
            "Query.motd": lambda _root, _info: "Keep moving",
        },
        entities={
            "User": lambda rep: next(
                ({"__typename": "User", **u} for u in USERS if u["id"] == rep["id"]), None
            )
        },
    )
    billing = TestSubgraph(
        BILLING_SDL,
        resolvers={"User.invoices": lambda parent, _info: [{"id": f"inv-{parent['id']}", "amount": 42}]},
        entities={"User": lambda rep: {"__typename": "User", "id": rep["id"]}},
    )
    ring = KeyRing.ephemeral("ES256")
    async with (
        running_subgraphs({"accounts": accounts, "billing": billing}) as urls,
        serving_jwks(ring.active) as jwks,
    ):
        yield Backends(accounts, billing, supergraph_sdl(urls), jwks, ring)


@pytest.fixture(autouse=True)
def fresh_backends(request: pytest.FixtureRequest) -> None:
    if "backends" in request.fixturenames:
        request.getfixturevalue("backends").reset()


def auth_config(backends: Backends) -> AuthConfig:
    return AuthConfig.model_validate(
        {"issuer": ISSUER, "audience": AUDIENCE, "jwks": [{"url": backends.jwks.url}]}
    )


@contextlib.asynccontextmanager
async def serve_secured_router(
    backends: Backends,
    *,
    rate_limit: RateLimitConfig | RateLimitStage | None = None,
    authorization: AuthorizationConfig | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The pipeline order the lead is asked to wire: headers → authn → analysis → rate limit
    → authz → execution."""
    config = RouterConfig()
    engine = Engine(backends.sdl)
    stages: list[Stage] = [
        HeadersStage(config.headers),
        AuthnStage(auth_config(backends)),
        AnalysisStage(max_tokens=None),
    ]
    limiter: RateLimitStage | None = None
    if rate_limit is not None:
        limiter = rate_limit if isinstance(rate_limit, RateLimitStage) else RateLimitStage(rate_limit)
        stages.append(limiter)
    stages.append(
        AuthzStage(
            authorization or AuthorizationConfig(policy_hook="tests.router.security.fixtures:hr_policy")
        )
    )
    stages.append(ExecutionStage(include_subgraph_errors=True))
    transport = GraphQLTransport(config, Pipeline(stages), EngineHolder(engine, backends.sdl))
    app = Starlette(routes=[Route("/graphql", transport.__call__, methods=["GET", "POST"])])
    try:
        async with (
            running_server(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=10) as client,
        ):
            yield client
    finally:
        await engine.aclose()
        if limiter is not None:
            await limiter.aclose()
