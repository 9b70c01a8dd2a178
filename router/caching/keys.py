"""Response cache keys: schema id + operation hash + variables + scope (+ configured vary headers).

Scope part: PUBLIC entries are shared by every caller of the same kind, with anonymous and
authenticated callers kept apart (an anonymous response may differ, and must never be
served to, or filled by, a signed-in user); PRIVATE entries are per user (the verified
token's `sub`) and are never made for anonymous callers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

__all__ = ["cache_key"]


def cache_key(
    *,
    schema_id: str,
    document_hash: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    scope: str,
    subject: str | None,
    vary: Sequence[tuple[str, str | None]] = (),
) -> str | None:
    """The key of one response; None when it must not be cached (PRIVATE and anonymous)."""
    if scope == "PRIVATE":
        if subject is None:
            return None
        audience = ["private", subject]
    else:
        audience = ["public", "authenticated" if subject is not None else "anonymous"]
    material = orjson.dumps(
        [schema_id, document_hash, operation_name, variables or {}, audience, list(vary)],
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
    )
    return hashlib.sha256(material).hexdigest()
