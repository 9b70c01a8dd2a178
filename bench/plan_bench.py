"""Planning micro-benchmark: cold planning time and cached-plan lookup time.

    .venv/bin/python -m bench.plan_bench [--iterations N]

For the benchmark query on bench/supergraph.graphql, and for every operation in
schema/operations/*.graphql on FitGraph's own schema/supergraph.graphql (when both exist):

- `first_ms`: the very first plan in this process (imports and lazy structures warm up);
- `cold_ms`: median of `QueryPlanner(supergraph).plan(document, name)` on a fresh planner each
  time (planner construction excluded, reported separately as `planner_init_ms`);
- `cached_us`: median per-request cost of getting an already-cached plan the way the router
  does it (router.engine.Engine: document cache by query text, plan cache by (document hash,
  operation name)). If the engine cannot be built here, a plain dict keyed the same way stands
  in and the line says `cache=dict`.

Uses `router.supergraph.load_supergraph` and `router.planner.QueryPlanner`; prints
"not available" when they do not exist yet. Timings are medians, never assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PlanFigures", "main", "measure"]

_REPO = Path(__file__).resolve().parent.parent
_BENCH_SUPERGRAPH = _REPO / "bench" / "supergraph.graphql"
_BENCH_QUERY = _REPO / "bench" / "query.graphql"
_OWN_SUPERGRAPH = _REPO / "schema" / "supergraph.graphql"
_OWN_OPERATIONS = _REPO / "schema" / "operations"


@dataclass(frozen=True)
class PlanFigures:
    label: str
    operation: str | None
    fetches: int
    load_ms: float
    planner_init_ms: float
    first_ms: float
    cold_ms: float
    cached_us: float
    cache: str


def _elapsed_ns(action: Callable[[], object]) -> int:
    start = time.perf_counter_ns()
    action()
    return time.perf_counter_ns() - start


def _count_fetches(node: Any) -> int:
    """Fetch nodes in a plan tree, found structurally so the count survives node renames."""
    if node is None:
        return 0
    if type(node).__name__ == "FetchNode":
        return 1
    total = 0
    for attribute in ("node", "nodes", "if_clause", "else_clause", "children"):
        value = getattr(node, attribute, None)
        if isinstance(value, list | tuple):
            total += sum(_count_fetches(child) for child in value)
        elif value is not None and not isinstance(value, str | int | float | bool):
            total += _count_fetches(value)
    return total


def _cached_lookup_us(sdl: str, query: str, operation: str | None, iterations: int) -> tuple[float, str]:
    """Median µs for one cached-plan lookup through the router's own caches, if reachable."""
    try:
        from router.engine import Engine
        from router.types import GraphQLRequest

        engine = Engine(sdl)
        request = GraphQLRequest(query=query, operation_name=operation)
        prepared = engine.prepare(request)
        engine.plan_for(prepared)  # type: ignore[arg-type]

        def lookup() -> None:
            engine.plan_for(engine.prepare(request))  # type: ignore[arg-type]

        cache = "engine"
    except Exception:  # the engine is someone else's moving target: fall back, never fail
        from graphql import parse

        from router.planner import QueryPlanner
        from router.supergraph import load_supergraph

        planner = QueryPlanner(load_supergraph(sdl))
        key = (hashlib.sha256(query.encode()).hexdigest(), operation)
        plans: dict[tuple[str, str | None], object] = {key: planner.plan(parse(query), operation)}
        documents = {query: key[0]}

        def lookup() -> None:
            plans.get((documents[query], operation))

        cache = "dict"
    batch = 100

    def lookup_batch() -> None:
        for _ in range(batch):
            lookup()

    samples = [_elapsed_ns(lookup_batch) / batch for _ in range(max(1, iterations // batch))]
    return statistics.median(samples) / 1000, cache


def measure(label: str, sdl: str, query: str, operation: str | None, iterations: int) -> PlanFigures:
    from graphql import parse

    from router.planner import QueryPlanner
    from router.supergraph import load_supergraph

    start = time.perf_counter_ns()
    supergraph = load_supergraph(sdl)
    load_ns = time.perf_counter_ns() - start
    document = parse(query)

    start = time.perf_counter_ns()
    planner = QueryPlanner(supergraph)
    init_ns = time.perf_counter_ns() - start
    start = time.perf_counter_ns()
    plan = planner.plan(document, operation)
    first_ns = time.perf_counter_ns() - start

    def plan_cold() -> int:
        fresh = QueryPlanner(supergraph)
        return _elapsed_ns(lambda: fresh.plan(document, operation))

    cold = [plan_cold() for _ in range(max(5, iterations // 200))]
    cached_us, cache = _cached_lookup_us(sdl, query, operation, iterations)
    return PlanFigures(
        label=label,
        operation=operation,
        fetches=_count_fetches(getattr(plan, "node", plan)),
        load_ms=load_ns / 1e6,
        planner_init_ms=init_ns / 1e6,
        first_ms=first_ns / 1e6,
        cold_ms=statistics.median(cold) / 1e6,
        cached_us=cached_us,
        cache=cache,
    )


def _operation_names(query: str) -> list[str | None]:
    from graphql import OperationDefinitionNode, parse

    names = [
        definition.name.value if definition.name else None
        for definition in parse(query).definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    return names or [None]


def _line(figures: PlanFigures) -> str:
    return (
        f"PLAN supergraph={figures.label} operation={figures.operation or '-'} fetches={figures.fetches} "
        f"load_ms={figures.load_ms:.1f} planner_init_ms={figures.planner_init_ms:.2f} "
        f"first_ms={figures.first_ms:.2f} cold_ms={figures.cold_ms:.3f} "
        f"cached_us={figures.cached_us:.2f} cache={figures.cache}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--iterations", type=int, default=20000, help="cached lookups to time (default 20000)")
    args = parser.parse_args(argv)
    try:
        import router.planner
        import router.supergraph

        missing = [
            name
            for module, name in ((router.supergraph, "load_supergraph"), (router.planner, "QueryPlanner"))
            if not hasattr(module, name)
        ]
    except ImportError as error:
        missing = [f"{error.name or error}"]
    if missing:
        print(f"PLAN not available: router is missing {', '.join(missing)}")
        return 0

    jobs: list[tuple[str, str, str]] = [
        ("bench", _BENCH_SUPERGRAPH.read_text(encoding="utf-8"), _BENCH_QUERY.read_text(encoding="utf-8"))
    ]
    if _OWN_SUPERGRAPH.exists():
        own_sdl = _OWN_SUPERGRAPH.read_text(encoding="utf-8")
        operations = sorted(_OWN_OPERATIONS.glob("*.graphql")) if _OWN_OPERATIONS.is_dir() else []
        jobs += [("fitgraph", own_sdl, path.read_text(encoding="utf-8")) for path in operations]
        if not operations:
            print(f"PLAN supergraph=fitgraph not available: no operations in {_OWN_OPERATIONS.relative_to(_REPO)}")
    else:
        print(f"PLAN supergraph=fitgraph not available: {_OWN_SUPERGRAPH.relative_to(_REPO)} does not exist yet")

    for label, sdl, query in jobs:
        for operation in _operation_names(query):
            try:
                print(_line(measure(label, sdl, query, operation, args.iterations)), flush=True)
            except Exception as error:  # a planner gap on one operation must not hide the rest
                print(f"PLAN supergraph={label} operation={operation or '-'} not available: "
                      f"{type(error).__name__}: {error}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
