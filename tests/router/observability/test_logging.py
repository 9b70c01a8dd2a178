"""JSON request logs of the real `fitgraph router` process: one line per request with its ids,
operation name, status and duration, and never a password or a bearer token (grepped in the
raw stderr, debug level, the login mutation forwarded to the subgraph with its token)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
from graphql import GraphQLError

from tests.router.support.subgraph import TestSubgraph, running_subgraphs
from tests.support.servers import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Corr3ct-Horse-Battery-Staple"
WRONG_PASSWORD = "hunter2-Wrong-Passw0rd"
TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1LTQyIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
ISSUED = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1LTQyIiwibmV3Ijp0cnVlfQ.aXNzdWVkLXRva2Vu"
TRACE_ID = "5e0c63257de34c926f9efcd03927272e"

USERS_SDL = """
type Query { ping: String }
type Mutation { login(email: String!, password: String!): Session! }
type Session { token: String! }
type User @key(fields: "id") { id: ID! }
"""

SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{ query: Query mutation: Mutation }

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet,
  type: String, external: Boolean, override: String, usedOverridden: Boolean
) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { USERS @join__graph(name: "users", url: "%s") }

type Query @join__type(graph: USERS) { ping: String }
type Mutation @join__type(graph: USERS) { login(email: String!, password: String!): Session! }
type Session @join__type(graph: USERS) { token: String! }
"""

ROUTER_YAML = """
logging: { level: debug }
headers: { propagate: [authorization] }
telemetry: { tracing: { enabled: true } }
"""


def _login(_root: Any, _info: Any, email: str, password: str) -> dict[str, str]:
    if password != PASSWORD:
        # A careless subgraph: its error message echoes the password it was sent.
        raise GraphQLError(f"bad password {password} for {email}", extensions={"code": "UNAUTHENTICATED"})
    return {"token": ISSUED}


@contextlib.asynccontextmanager
async def _router(tmp_path: Path, users_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[bytes]]]:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(SUPERGRAPH % users_url)
    config = tmp_path / "router.yaml"
    config.write_text(ROUTER_YAML)
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import cli; cli.main()", "router",
        "--supergraph", str(supergraph), "--config", str(config), "--port", str(port),
        cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stderr: list[bytes] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(600):
                if process.returncode is not None:
                    raise AssertionError("the router exited before it was healthy")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            yield client, stderr
    finally:
        process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), timeout=20)
        stderr.append(err)


LOGIN = "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token } }"


async def test_request_lines_carry_ids_and_never_secrets(tmp_path: Path) -> None:
    users = TestSubgraph(USERS_SDL, resolvers={"Mutation.login": _login})
    async with running_subgraphs({"users": users}) as urls:
        async with _router(tmp_path, urls["users"]) as (client, stderr):
            headers = {
                "content-type": "application/json",
                "authorization": f"Bearer {TOKEN}",
                "traceparent": f"00-{TRACE_ID}-a1b2c3d4e5f60718-01",
                "x-request-id": "login-request-1",
            }
            ok = await client.post(
                "/graphql",
                content=orjson.dumps(
                    {"query": LOGIN, "variables": {"email": "ann@example.com", "password": PASSWORD}}
                ),
                headers=headers,
            )
            refused = await client.post(
                "/graphql",
                content=orjson.dumps(
                    {"query": LOGIN, "variables": {"email": "ann@example.com", "password": WRONG_PASSWORD}}
                ),
                headers={**headers, "x-request-id": "login-request-2"},
            )
    assert ok.json() == {"data": {"login": {"token": ISSUED}}}
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # The subgraph did receive the password: the router forwarded it, it just never logged it.
    # (The bearer token is forwarded only by auth.forward_to_subgraphs; this router has no auth.)
    assert "authorization" not in users.received[0].headers
    assert users.received[0].variables["password"] == PASSWORD

    raw = b"".join(stderr)
    for secret in (PASSWORD, WRONG_PASSWORD, TOKEN, ISSUED):
        assert secret.encode() not in raw, f"{secret} leaked into the logs"
    lines = [orjson.loads(line) for line in raw.splitlines() if line.strip()]
    requests = [line for line in lines if line.get("event") == "graphql_request"]
    assert [line["request_id"] for line in requests] == ["login-request-1", "login-request-2"]
    for line in requests:
        assert line["trace_id"] == TRACE_ID
        assert line["operation_name"] == "Login"
        assert line["status"] == 200
        assert line["method"] == "POST"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["level"] == "info" and "timestamp" in line
    assert requests[1]["error_codes"] == ["UNAUTHENTICATED"]
