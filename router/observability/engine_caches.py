"""Hit/miss counters for the Engine's plan and document caches.

The Engine offers no hook for its caches, so this wraps its two bounded caches (`_plans`,
`_documents`: objects with get/put) in counting proxies after construction. An engine without
them (another implementation, a test double) is left as it is. A public hook in the Engine
would make this unnecessary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import Counter

from router.observability.metrics import CACHE_LOOKUPS

__all__ = ["observe_engine_caches", "observing_factory"]

_E = TypeVar("_E")
_CACHES = {"_plans": "plan", "_documents": "document"}


class _CountingCache:
    __slots__ = ("_hit", "_inner", "_miss")

    def __init__(self, inner: Any, cache: str, counter: Counter) -> None:
        self._inner = inner
        self._hit = counter.labels(cache, "hit")
        self._miss = counter.labels(cache, "miss")

    def get(self, key: Any) -> Any:
        value = self._inner.get(key)
        (self._miss if value is None else self._hit).inc()
        return value

    def put(self, key: Any, value: Any) -> None:
        self._inner.put(key, value)

    def __len__(self) -> int:
        return len(self._inner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def observe_engine_caches(engine: _E) -> _E:
    for attribute, cache in _CACHES.items():
        inner = getattr(engine, attribute, None)
        if inner is None or isinstance(inner, _CountingCache):
            continue
        if callable(getattr(inner, "get", None)) and callable(getattr(inner, "put", None)):
            setattr(engine, attribute, _CountingCache(inner, cache, CACHE_LOOKUPS))
    return engine


def observing_factory(factory: Callable[[str, Any], _E]) -> Callable[[str, Any], _E]:
    """An engine factory whose engines have observed caches."""

    def build(supergraph_sdl: str, config: Any) -> _E:
        return observe_engine_caches(factory(supergraph_sdl, config))

    return build
