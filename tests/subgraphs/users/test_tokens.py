"""Access-token verification at the subgraph: only a valid bearer JWT carries identity."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt

from auth.keys import KeyRing, SigningKey
from auth.tokens import TokenIssuer
from tests.subgraphs.users.harness import UsersServer

ME = "{ me { id } }"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _issuer(users: UsersServer, keyring: KeyRing | None = None, **overrides: object) -> TokenIssuer:
    options: dict[str, object] = {
        "issuer": users.settings.jwt_issuer,
        "audience": users.settings.jwt_audience,
        **overrides,
    }
    return TokenIssuer(keyring or users.keyring, **options)  # type: ignore[arg-type]


async def _assert_rejected(users: UsersServer, token: str, reason: str | None = None) -> None:
    result = await users.gql(ME, token=token)
    assert result.codes == ["UNAUTHENTICATED"], result.body
    assert result.data is None
    if reason is not None:
        assert result.errors[0]["extensions"]["reason"] == reason


async def test_a_valid_token_identifies_the_user(users: UsersServer) -> None:
    account = await users.register()
    result = await users.gql(ME, token=account["accessToken"])
    assert result.data == {"me": {"id": account["user"]["id"]}}


async def test_tampered_payload_is_rejected(users: UsersServer) -> None:
    victim = await users.register()
    attacker = await users.register()
    header, payload, signature = attacker["accessToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = victim["user"]["id"]
    await _assert_rejected(users, f"{header}.{_b64(claims)}.{signature}", "bad_signature")


async def test_token_signed_by_another_key_is_rejected(users: UsersServer) -> None:
    account = await users.register()
    stranger = KeyRing()
    stranger.add(SigningKey.generate("EdDSA", kid=users.keyring.active.kid))
    forged = _issuer(users, stranger).issue(account["user"]["id"], roles=["user", "admin"])
    await _assert_rejected(users, forged, "bad_signature")


async def test_expired_token_is_rejected(users: UsersServer) -> None:
    account = await users.register()
    past = time.time() - 3600
    token = _issuer(users, clock=lambda: past, ttl_seconds=60).issue(account["user"]["id"], roles=["user"])
    await _assert_rejected(users, token, "expired")


async def test_wrong_audience_and_issuer_are_rejected(users: UsersServer) -> None:
    account = await users.register()
    wrong_aud = _issuer(users, audience="some-other-api").issue(account["user"]["id"], roles=["user"])
    await _assert_rejected(users, wrong_aud, "invalid_audience")
    wrong_iss = _issuer(users, issuer="https://evil.example").issue(account["user"]["id"], roles=["user"])
    await _assert_rejected(users, wrong_iss, "invalid_issuer")


async def test_alg_none_is_rejected(users: UsersServer) -> None:
    account = await users.register()
    now = int(time.time())
    claims = {
        "sub": account["user"]["id"],
        "iss": users.settings.jwt_issuer,
        "aud": users.settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
        "scope": "admin:users",
    }
    for alg in ("none", "None", "NONE"):
        token = f"{_b64({'alg': alg, 'typ': 'JWT', 'kid': users.keyring.active.kid})}.{_b64(claims)}."
        await _assert_rejected(users, token, "algorithm_not_allowed")


async def test_hs256_signed_with_the_public_key_is_rejected(users: UsersServer) -> None:
    """Key confusion: HMAC over the public JWK must never verify."""
    account = await users.register()
    public = json.dumps(users.keyring.jwks()).encode()
    now = int(time.time())
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": users.keyring.active.kid})
    payload = _b64(
        {"sub": account["user"]["id"], "iss": users.settings.jwt_issuer, "aud": users.settings.jwt_audience,
         "iat": now, "exp": now + 600, "roles": ["admin"]}
    )
    mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    token = f"{header}.{payload}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    await _assert_rejected(users, token, "algorithm_not_allowed")


async def test_malformed_authorization_headers(users: UsersServer) -> None:
    for header in ["Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer a b"]:
        result = await users.gql(ME, headers={"authorization": header})
        assert result.codes == ["UNAUTHENTICATED"], header


async def test_invalid_token_fails_even_public_operations(users: UsersServer) -> None:
    """Like a router's authentication stage: a bad token is an error, never anonymous."""
    result = await users.gql("{ __typename }", token="garbage")
    assert result.codes == ["UNAUTHENTICATED"]


async def test_identity_headers_are_ignored(users: UsersServer) -> None:
    victim = await users.register()
    spoofed = {"x-user-id": victim["user"]["id"], "x-user-roles": "admin", "x-roles": "admin", "x-scopes": "admin:users"}
    result = await users.gql(ME, headers=spoofed)
    assert result.codes == ["UNAUTHENTICATED"]
    caller = await users.register()
    as_caller = await users.gql(ME, token=caller["accessToken"], headers=spoofed)
    assert as_caller.data == {"me": {"id": caller["user"]["id"]}}
    admin_only = await users.gql("{ users(first: 1) { pageInfo { hasNextPage } } }", token=caller["accessToken"], headers=spoofed)
    assert admin_only.codes == ["FORBIDDEN"]


async def test_jwks_document_verifies_issued_tokens(users: UsersServer) -> None:
    response = await users.client.get(f"{users.url}/.well-known/jwks.json")
    assert response.status_code == 200
    document = response.json()
    assert document["keys"][0]["kid"] == users.keyring.active.kid  # the signing key comes first
    assert {key["kid"] for key in document["keys"]} == set(users.keyring.kids)
    assert all("d" not in key for key in document["keys"])  # public members only
    account = await users.register()
    key = jwt.PyJWK(next(k for k in document["keys"] if k["kid"] == jwt.get_unverified_header(account["accessToken"])["kid"]))
    claims = jwt.decode(
        account["accessToken"], key.key, algorithms=[key.algorithm_name], audience=users.settings.jwt_audience
    )
    assert claims["sub"] == account["user"]["id"]
    assert claims["sid"]
    assert "profile:read" in claims["scope"].split()


async def test_health_and_metrics(users: UsersServer) -> None:
    health = await users.client.get(f"{users.url}/health")
    assert health.json() == {"status": "ok", "service": "users", "database": "ok"}
    await users.gql("{ __typename }")
    metrics = await users.client.get(f"{users.url}/metrics")
    assert metrics.status_code == 200
    assert 'fitgraph_http_requests_total{method="POST",path="/graphql",service="users",status="200"}' in metrics.text
    assert "fitgraph_http_request_duration_seconds_bucket" in metrics.text
    assert isinstance(metrics, httpx.Response)


async def test_key_rotation_keeps_old_tokens_valid(users: UsersServer) -> None:
    before = await users.register()
    old_kid = users.keyring.active.kid
    users.keyring.add(SigningKey.generate("EdDSA"), active=True)
    users.keyring.retire(old_kid)
    after = await users.register()
    assert jwt.get_unverified_header(after["accessToken"])["kid"] == users.keyring.active.kid != old_kid
    # Tokens signed before the rotation still verify until the old key is removed.
    assert (await users.gql(ME, token=before["accessToken"])).data == {"me": {"id": before["user"]["id"]}}
    assert (await users.gql(ME, token=after["accessToken"])).data == {"me": {"id": after["user"]["id"]}}
    kids = [k["kid"] for k in (await users.client.get(f"{users.url}/.well-known/jwks.json")).json()["keys"]]
    assert kids[0] == users.keyring.active.kid and old_kid in kids
    users.keyring.remove(old_kid)
    await _assert_rejected(users, before["accessToken"], "unknown_kid")
