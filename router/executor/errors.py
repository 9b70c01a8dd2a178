"""GraphQL error objects produced or relayed by the executor (GraphQL spec §7.1.2)."""

from __future__ import annotations

from typing import Any

__all__ = ["error", "relay_subgraph_error"]


def error(
    message: str, *, code: str, path: list[str | int] | None = None, **extensions: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if path is not None:
        body["path"] = path
    body["extensions"] = {"code": code, **extensions}
    return body


def relay_subgraph_error(
    raw: Any, path: list[str | int] | None, subgraph: str, *, redact: bool = False
) -> dict[str, Any]:
    """A subgraph error as the client sees it: message and extensions kept (or, with `redact`,
    replaced by a generic message keeping only `code`), path rewritten, `locations` dropped
    (they point into the subgraph operation, not the client's)."""
    if not isinstance(raw, dict):
        return error(
            "Subgraph returned a malformed error", code="SUBREQUEST_MALFORMED_RESPONSE", service=subgraph
        )
    extensions = raw.get("extensions")
    if redact:
        code = extensions.get("code") if isinstance(extensions, dict) else None
        return error(
            "Subgraph errors redacted",
            code=code if isinstance(code, str) else "SUBGRAPH_ERROR",
            path=path,
            service=subgraph,
        )
    message = raw.get("message")
    body: dict[str, Any] = {"message": message if isinstance(message, str) else "Subgraph error"}
    if path is not None:
        body["path"] = path
    if isinstance(extensions, dict) and extensions:
        body["extensions"] = extensions
    return body
