"""Secrets never reach the logs, even when some component logs what it was handed.

The router's own request line logs no headers or variables, but other lines may carry text
that came from elsewhere: a subgraph error message logged for the operator (execution stage)
can echo the password it was sent. So, per request, the pipeline remembers the bearer token
and the values of secret-looking variables (`password`, `token`, `secret`, `apiKey`…), and a
structlog processor replaces them — and anything shaped like a JWT — in every log event of
that request. The secrets live in a context variable: uvicorn runs each request in its own
task, so one request's secrets never meet another's log lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

__all__ = ["REDACTED", "install_log_redaction", "redact_secrets", "remember_secrets", "secrets_of_request"]

REDACTED = "[REDACTED]"
_SECRETS: ContextVar[frozenset[str]] = ContextVar("fitgraph_log_secrets", default=frozenset())
_SECRET_NAME = re.compile(
    r"(?i)(pass(word|phrase|wd)?|secret|token|api_?key|credential|otp|pin|authorization)"
)
# Three base64url segments starting with a JSON header: a JWS compact serialisation (RFC 7515 §7.1).
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}")
_MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words
_MAX_DEPTH = 8


def _secret_values(value: Any, depth: int = 0) -> Iterable[str]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        if len(value) >= _MIN_SECRET_LENGTH:
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _secret_values(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secret_values(item, depth + 1)


def secrets_of_request(variables: Mapping[str, Any] | None, bearer_token: str | None) -> set[str]:
    """The bearer token plus every string under a secret-looking variable name (at any depth)."""
    found: set[str] = set()
    if bearer_token and len(bearer_token) >= _MIN_SECRET_LENGTH:
        found.add(bearer_token)

    def walk(value: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and _SECRET_NAME.search(key):
                    found.update(_secret_values(item))
                else:
                    walk(item, depth + 1)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, depth + 1)

    walk(variables or {}, 0)
    return found


def remember_secrets(values: Iterable[str]) -> None:
    """Adds secrets for the rest of the current request (task)."""
    new = frozenset(values)
    if new:
        _SECRETS.set(_SECRETS.get() | new)


def _scrub(value: Any, secrets: frozenset[str], depth: int = 0) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return _JWT.sub(REDACTED, value) if "eyJ" in value else value
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {key: _scrub(item, secrets, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, secrets, depth + 1) for item in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    # Anything else is rendered as text by the JSON renderer: scrub that text.
    text = str(value)
    scrubbed = _scrub(text, secrets, depth + 1)
    return value if scrubbed == text else scrubbed


def redact_secrets(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the request's secrets and JWT-shaped strings become [REDACTED]."""
    secrets = _SECRETS.get()
    for key, value in event_dict.items():
        event_dict[key] = _scrub(value, secrets)
    return event_dict


def install_log_redaction() -> None:
    """Puts `redact_secrets` first in structlog's processor chain (once). Called when the app
    starts serving, i.e. after the CLI configured logging.

    The configured list is changed in place: loggers already cached (cache_logger_on_first_use)
    hold that same list, so they redact too."""
    processors = structlog.get_config()["processors"]
    if redact_secrets in processors:
        return
    if isinstance(processors, list):
        processors.insert(0, redact_secrets)
    else:
        structlog.configure(processors=[redact_secrets, *processors])
