"""The log redaction processor: the request's secrets and JWT-shaped strings never render."""

from __future__ import annotations

import asyncio

import orjson
import structlog
from structlog.testing import capture_logs

from router.observability.redaction import (
    REDACTED,
    install_log_redaction,
    redact_secrets,
    remember_secrets,
    secrets_of_request,
)

JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_secret_variables_are_found_at_any_depth() -> None:
    variables = {
        "email": "ann@example.com",
        "password": "pa55word!",
        "input": {"newPassword": "n3w-pass", "profile": {"apiKey": "k-123456"}, "name": "Ann"},
        "devices": [{"refreshToken": "rt-abcdef"}],
        "pin": "12",  # too short to redact safely
    }
    found = secrets_of_request(variables, "bearer-token-value")
    assert found == {"pa55word!", "n3w-pass", "k-123456", "rt-abcdef", "bearer-token-value"}


def test_processor_scrubs_nested_values_and_any_jwt() -> None:
    async def one_request() -> dict[str, object]:
        remember_secrets({"pa55word!"})
        event = {
            "event": "subgraph_errors",
            "errors": [{"message": "bad password pa55word! for ann", "extensions": {"code": "X"}}],
            "note": f"token {JWT} seen",
            "count": 3,
        }
        return dict(redact_secrets(None, "warning", event))

    scrubbed = asyncio.run(one_request())
    assert scrubbed["errors"] == [
        {"message": f"bad password {REDACTED} for ann", "extensions": {"code": "X"}}
    ]
    assert scrubbed["note"] == f"token {REDACTED} seen"
    assert scrubbed["count"] == 3


def test_secrets_stay_with_their_request() -> None:
    async def request(secret: str, seen: list[str]) -> None:
        remember_secrets({secret})
        await asyncio.sleep(0)
        seen.append(
            str(redact_secrets(None, "info", {"event": "x", "a": "alpha-secret", "b": "beta-secret"}))
        )

    async def both() -> list[str]:
        seen: list[str] = []
        await asyncio.gather(request("alpha-secret", seen), request("beta-secret", seen))
        return seen

    first, second = sorted(asyncio.run(both()))
    # Each request's task redacts only its own secret.
    assert first.count(REDACTED) == 1 and second.count(REDACTED) == 1
    assert ("alpha-secret" in first) != ("alpha-secret" in second)


def test_install_is_idempotent_and_first_in_the_chain() -> None:
    with capture_logs() as logs:
        early = structlog.get_logger("cached-before-install")
        early.info("warm_up")
        install_log_redaction()
        install_log_redaction()
        processors = structlog.get_config()["processors"]
        assert processors[0] is redact_secrets and processors.count(redact_secrets) == 1
        structlog.get_logger("t").info("login_failed", detail=f"Bearer {JWT}")
        early.info("late_line", detail=JWT)
    assert orjson.dumps(logs).decode().count(JWT) == 0
    assert [entry.get("detail") for entry in logs] == [None, f"Bearer {REDACTED}", REDACTED]
