"""Keep the response shaped like the client's operation after authorization removed fields.

The removed fields get `null` (GraphQL spec §6.4.4: a non-null field's null propagates to the
nearest nullable ancestor, up to `data` itself); router/security/authz.py computes where.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["apply_nulls"]

Path = tuple[str, ...]


def _place_null(node: Any, path: Path) -> None:
    head, rest = path[0], path[1:]
    if head == "@":
        if isinstance(node, list):
            for index, item in enumerate(node):
                if rest:
                    _place_null(item, rest)
                else:
                    node[index] = None
        return
    if not isinstance(node, dict):
        return
    if rest:
        _place_null(node.get(head), rest)
    else:
        node[head] = None


def apply_nulls(data: dict[str, Any] | None, null_paths: Iterable[Path]) -> dict[str, Any] | None:
    """Put `null` where removed fields (or the ancestors their non-null types propagate to)
    sit in the response, so it keeps the shape of what the client asked. Returns the data
    (None when the null reached the root)."""
    if data is None:
        return None
    for path in null_paths:
        if not path:
            return None
        _place_null(data, path)
    return data
