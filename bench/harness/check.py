"""The correctness gate: a gateway is measured only if it returns the expected response."""

from __future__ import annotations

import http.client
import json
from typing import Any

__all__ = ["CheckResult", "check_gateway", "first_difference", "normalize", "post_graphql"]


def post_graphql(
    port: int, body: bytes, headers: dict[str, str] | None = None, timeout_s: float = 30.0
) -> tuple[int, bytes]:
    """POST /graphql on 127.0.0.1 (http.client: no proxy variables can reroute loopback)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.request(
            "POST",
            "/graphql",
            body=body,
            headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def normalize(value: Any) -> Any:
    """Object member order is not significant in a comparison; list order is (spec order)."""
    if isinstance(value, dict):
        return {key: normalize(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    return value


def first_difference(actual: Any, expected: Any, path: str = "$") -> str | None:
    """A short description of where two JSON values first differ, or None if equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                return f"{path}.{key} missing"
            if key not in expected:
                return f"{path}.{key} unexpected"
            found = first_difference(actual[key], expected[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return f"{path}: {len(actual)} items, expected {len(expected)}"
        for index, (left, right) in enumerate(zip(actual, expected, strict=True)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    if actual != expected:
        return f"{path}: {json.dumps(actual)[:120]} != expected {json.dumps(expected)[:120]}"
    return None


class CheckResult:
    """ok, or why not; `size` is the byte length of the gateway's answer."""

    def __init__(self, ok: bool, reason: str = "", size: int = 0) -> None:
        self.ok = ok
        self.reason = reason
        self.size = size


def check_gateway(port: int, body: bytes, expected: Any, timeout_s: float = 30.0) -> CheckResult:
    """Ask twice (without and with an Authorization header, as the modes do) and compare."""
    for headers in ({}, {"Authorization": "Bearer bench-check-1"}):
        try:
            status, raw = post_graphql(port, body, headers, timeout_s)
        except OSError as error:
            return CheckResult(False, f"request failed: {error}")
        if status != 200:
            return CheckResult(False, f"HTTP {status}: {raw[:300].decode('utf-8', 'replace')}")
        try:
            answer = json.loads(raw)
        except ValueError:
            return CheckResult(False, f"response is not JSON: {raw[:200].decode('utf-8', 'replace')}")
        if isinstance(answer, dict) and answer.get("errors"):
            return CheckResult(False, f"errors in response: {json.dumps(answer['errors'])[:300]}")
        difference = first_difference(normalize(answer), expected)
        if difference:
            return CheckResult(False, f"wrong response at {difference}")
    return CheckResult(True, size=len(raw))
