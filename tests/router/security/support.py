"""Test helpers for the edge security tests: key pairs and tokens, a JWKS served on loopback,
forged tokens, and Operation objects run through a stage."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auth._b64 import b64url_encode
from auth.keys import KeyRing, SigningKey
from auth.tokens import TokenIssuer
from router.pipeline import EngineLike, Operation, Stage
from router.types import GraphQLRequest, GraphQLResponse, RequestContext
from tests.support.servers import running_server

ISSUER = "https://issuer.test"
AUDIENCE = "fitgraph"


def issuer_for(
    ring: KeyRing, *, clock_offset: float = 0.0, audience: str = AUDIENCE, issuer: str = ISSUER
) -> TokenIssuer:
    return TokenIssuer(ring, issuer=issuer, audience=audience, clock=lambda: time.time() + clock_offset)


def unsigned_token(payload: dict[str, Any], header: dict[str, Any]) -> str:
    """A JWS with the given header and an empty signature (the `alg: none` attack)."""
    import orjson

    return f"{b64url_encode(orjson.dumps(header))}.{b64url_encode(orjson.dumps(payload))}."


def valid_payload(subject: str = "u1", **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": now, "nbf": now, "exp": now + 600, **extra}


def hs256_token(payload: dict[str, Any], secret: bytes, kid: str | None = None) -> str:
    """HS256 by hand: PyJWT (rightly) refuses a PEM public key as the HMAC secret, which is
    exactly the key-confusion token an attacker would forge."""
    import hashlib
    import hmac

    import orjson

    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{b64url_encode(orjson.dumps(header))}.{b64url_encode(orjson.dumps(payload))}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url_encode(signature)}"


@dataclass
class JwksServer:
    """Serves `document` at /jwks.json; counts fetches; can fail on demand."""

    document: dict[str, Any]
    fetches: int = 0
    fail: bool = False
    base_url: str = ""
    app: Starlette = field(init=False)

    def __post_init__(self) -> None:
        async def jwks(request: Request) -> Response:
            self.fetches += 1
            if self.fail:
                return Response("unavailable", status_code=503)
            return JSONResponse(self.document)

        self.app = Starlette(routes=[Route("/jwks.json", jwks)])

    @property
    def url(self) -> str:
        return f"{self.base_url}/jwks.json"

    def publish(self, *keys: SigningKey) -> None:
        self.document = {"keys": [key.public_jwk() for key in keys]}


@contextlib.asynccontextmanager
async def serving_jwks(*keys: SigningKey) -> AsyncIterator[JwksServer]:
    server = JwksServer({"keys": [key.public_jwk() for key in keys]})
    async with running_server(server.app) as base_url:
        server.base_url = base_url
        yield server


class _NoEngine:
    """Stands in for the engine in stage tests that never plan (authn, rate limits)."""

    api_schema: Any = None

    def prepare(self, request: GraphQLRequest) -> Any:
        raise AssertionError("not used")

    async def execute(
        self, prepared: Any, request: GraphQLRequest, context: RequestContext
    ) -> GraphQLResponse:
        raise AssertionError("not used")

    async def aclose(self) -> None:
        return None


def make_operation(
    query: str = "{ __typename }",
    *,
    headers: dict[str, str] | None = None,
    context: RequestContext | None = None,
    engine: EngineLike | None = None,
    operation_name: str | None = None,
    client_address: str | None = "127.0.0.9",
) -> Operation:
    if context is None:
        context = RequestContext(
            request_id="test", client_headers=dict(headers or {}), client_address=client_address
        )
    return Operation(GraphQLRequest(query, operation_name), context, "POST", engine or _NoEngine())


@dataclass
class Terminal:
    """The last stage of a test pipeline: records what reached it and answers `body`."""

    body: dict[str, Any] = field(default_factory=lambda: {"data": {"ok": True}})
    reached: list[Operation] = field(default_factory=list)

    async def __call__(self, operation: Operation) -> GraphQLResponse:
        self.reached.append(operation)
        return GraphQLResponse(body=dict(self.body))


async def run_stage(stage: Stage, operation: Operation, terminal: Terminal | None = None) -> GraphQLResponse:
    return await stage(operation, terminal or Terminal())
