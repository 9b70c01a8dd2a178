"""Leaf values of a projected response: result coercion of the built-in scalars (GraphQL spec
§3.5) and the constants the projection's fast path uses to skip it."""

from __future__ import annotations

from typing import Any

__all__ = ["ANY", "BUILTIN_SCALARS", "INVALID", "PASSTHROUGH", "coerce_builtin", "show"]

# A leaf that cannot be coerced (the position becomes null with an error).
INVALID = object()
# Leaf values that need no coercion when their Python type is already the serialized one;
# custom scalars pass through as the subgraph serialized them.
ANY = object()
PASSTHROUGH: dict[str, Any] = {"String": str, "ID": str, "Int": int, "Float": float, "Boolean": bool}
BUILTIN_SCALARS = frozenset({"String", "ID", "Int", "Float", "Boolean"})
_MAX_INT = 2**31 - 1


def coerce_builtin(name: str, value: Any) -> Any:
    # Result coercion per §3.5: subgraphs may declare a compatible but different type
    # (e.g. String where the supergraph has ID), so serialize like a GraphQL server would.
    if name == "String" or name == "ID":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return ("true" if value else "false") if name == "String" else INVALID
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and name == "String":
            return str(value)
        return INVALID
    if name == "Int":
        if isinstance(value, bool):
            return INVALID
        if isinstance(value, int):
            return value if -_MAX_INT - 1 <= value <= _MAX_INT else INVALID
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return INVALID
    if name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return INVALID
    if isinstance(value, bool):
        return value
    return INVALID


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
