"""An "analytics" subgraph on loopback with a cursor connection of workouts, and a router app
that serves the export routes over it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from starlette.applications import Starlette

from router.app import create_app
from router.config import RouterConfig, parse_config
from router.engine import Engine
from router.observability.tracing import Telemetry
from router.pipeline import EngineLike
from tests.router.caching.support import AUTH
from tests.router.support.federation import supergraph_sdl
from tests.router.support.subgraph import TestSubgraph, running_subgraphs

__all__ = [
    "EXPORT",
    "FAILING_CURSORS",
    "SUPERGRAPH",
    "WORKOUTS",
    "Analytics",
    "export_app",
    "running_analytics",
]

_SDL = """
scalar DateTime
type Query {
  workouts(first: Int! = 10, after: String, rangeStart: DateTime, rangeEnd: DateTime): WorkoutConnection!
}
type WorkoutConnection { edges: [WorkoutEdge!]! pageInfo: PageInfo! }
type WorkoutEdge { cursor: String! node: Workout! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Workout {
  id: ID!
  sport: String!
  startTime: DateTime!
  distanceM: Float
  calories: Int
  done: Boolean!
  owner: Owner
  tags: [String!]!
}
type Owner @key(fields: "id") { id: ID! name: String }
"""

SUPERGRAPH = supergraph_sdl(
    ["analytics"],
    """
scalar DateTime @join__type(graph: ANALYTICS)
type Query @join__type(graph: ANALYTICS) {
  workouts(first: Int! = 10, after: String, rangeStart: DateTime, rangeEnd: DateTime): WorkoutConnection!
}
type WorkoutConnection @join__type(graph: ANALYTICS) { edges: [WorkoutEdge!]! pageInfo: PageInfo! }
type WorkoutEdge @join__type(graph: ANALYTICS) { cursor: String! node: Workout! }
type PageInfo @join__type(graph: ANALYTICS) { hasNextPage: Boolean! endCursor: String }
type Workout @join__type(graph: ANALYTICS) {
  id: ID!
  sport: String!
  startTime: DateTime!
  distanceM: Float
  calories: Int
  done: Boolean!
  owner: Owner
  tags: [String!]!
}
type Owner @join__type(graph: ANALYTICS, key: "id") { id: ID! name: String }
""",
)

EXPORT = """# export: workouts
# rows: workouts.edges.node
# page_info: workouts.pageInfo
# partition: startTime
query WorkoutsExport($first: Int! = 10, $after: String, $rangeStart: DateTime, $rangeEnd: DateTime) {
  workouts(first: $first, after: $after, rangeStart: $rangeStart, rangeEnd: $rangeEnd) {
    edges { node { id sport startTime distanceM calories done owner { id name } tags } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
# 25 workouts, 8 hours apart: 2026-03-01 … 2026-03-09; every 5th has no owner and no distance.
WORKOUTS: list[dict[str, Any]] = [
    {
        "id": f"w{index:02d}",
        "sport": "RUN" if index % 2 else "RIDE, long",
        "startTime": (_START + timedelta(hours=8 * index)).isoformat().replace("+00:00", "Z"),
        "distanceM": None if index % 5 == 0 else 1000.5 * index,
        "calories": 100 + index,
        "done": index % 3 == 0,
        "owner": None
        if index % 5 == 0
        else {"id": f"u{index % 2}", "name": 'Ирина "Ира"' if index % 2 else "Bob"},
        "tags": ["morning", "outdoor"] if index % 2 else [],
    }
    for index in range(25)
]


# Cursors whose page fails (a test adds one, and removes it after).
FAILING_CURSORS: set[str] = set()


def _workouts(
    _root: Any,
    _info: Any,
    first: int = 10,
    after: str | None = None,
    rangeStart: str | None = None,
    rangeEnd: str | None = None,
) -> dict[str, Any]:
    if after in FAILING_CURSORS:
        raise GraphQLError("page store unavailable")
    selected = [
        workout
        for workout in WORKOUTS
        if (rangeStart is None or workout["startTime"] >= rangeStart)
        and (rangeEnd is None or workout["startTime"] < rangeEnd)
    ]
    offset = int(after) if after else 0
    page = selected[offset : offset + first]
    edges = [{"cursor": str(offset + i + 1), "node": node} for i, node in enumerate(page)]
    more = offset + first < len(selected)
    return {
        "edges": edges,
        "pageInfo": {"hasNextPage": more, "endCursor": edges[-1]["cursor"] if edges else None},
    }


@dataclass
class Analytics:
    subgraph: TestSubgraph
    url: str

    def engine(self) -> Engine:
        return Engine(SUPERGRAPH, subgraph_urls={"analytics": self.url})


@contextlib.asynccontextmanager
async def running_analytics() -> AsyncIterator[Analytics]:
    subgraph = TestSubgraph(_SDL, resolvers={"Query.workouts": _workouts})
    async with running_subgraphs({"analytics": subgraph}) as urls:
        yield Analytics(subgraph, urls["analytics"])


def export_app(
    analytics: Analytics,
    directory: Path,
    *,
    export: str = EXPORT,
    supergraph: str | None = None,
    router: dict[str, Any] | None = None,
    telemetry: Telemetry | None = None,
    **exports: Any,
) -> Starlette:
    """The router app (`create_app`, wired as in production) with exports switched on over the
    analytics subgraph; `exports` are `exports:` settings, `router` other router.yaml sections."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "workouts.graphql").write_text(export, encoding="utf-8")
    assert AUTH.hs256_secret is not None
    auth = AUTH.model_dump(mode="python") | {"hs256_secret": AUTH.hs256_secret.get_secret_value()}
    settings = parse_config(
        {**(router or {}), "auth": auth, "exports": {"enabled": True, "directory": str(directory), **exports}}
    )

    def engine_factory(sdl: str, _config: RouterConfig) -> EngineLike:
        return Engine(sdl, subgraph_urls={"analytics": analytics.url})

    return create_app(settings, supergraph or SUPERGRAPH, engine_factory=engine_factory, telemetry=telemetry)
