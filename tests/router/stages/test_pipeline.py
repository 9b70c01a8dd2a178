"""Pipeline composition: stage order, plug-in slots, and a stage ending a request early."""

from __future__ import annotations

import httpx
import orjson

from router.app import create_app
from router.config import RouterConfig, parse_config
from router.pipeline import NextStage, Operation, StageSlots, build_pipeline
from router.stages.analysis import AnalysisStage
from router.stages.csrf import CsrfStage
from router.stages.dedup import DeduplicationStage
from router.stages.errors import request_error
from router.stages.execution import ExecutionStage
from router.stages.headers import HeadersStage
from router.stages.introspection import IntrospectionStage
from router.stages.limits import LimitsStage
from router.stages.persisted import PersistedQueryStage
from router.types import GraphQLResponse
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs
from tests.support.servers import running_server


class Recorder:
    """A plug-in stage that notes what it saw and can refuse, like an auth stage would."""

    def __init__(self, name: str, log: list[tuple[str, bool]]) -> None:
        self.name = name
        self.log = log

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        self.log.append((self.name, operation.prepared is not None))
        if operation.context.client_headers.get("x-explode") == self.name:
            raise RuntimeError(f"{self.name} has a bug with secret detail")
        if operation.context.client_headers.get("x-refuse") == self.name:
            return request_error(f"refused by {self.name}", "FORBIDDEN", status=403)
        return await call_next(operation)


def test_default_order() -> None:
    kinds = [type(stage) for stage in build_pipeline(RouterConfig(), apq_store=None).stages]
    assert kinds == [
        CsrfStage,
        HeadersStage,
        PersistedQueryStage,
        AnalysisStage,
        LimitsStage,
        IntrospectionStage,
        DeduplicationStage,
        ExecutionStage,
    ]
    relaxed = parse_config({"csrf": {"enabled": False}, "introspection": True, "deduplication": {"enabled": False}})
    assert CsrfStage not in [type(s) for s in build_pipeline(relaxed, apq_store=None).stages]
    assert IntrospectionStage not in [type(s) for s in build_pipeline(relaxed, apq_store=None).stages]
    assert DeduplicationStage not in [type(s) for s in build_pipeline(relaxed, apq_store=None).stages]


async def test_slots_run_at_their_positions_and_can_end_a_request(subgraphs: Subgraphs) -> None:
    log: list[tuple[str, bool]] = []
    slots = StageSlots(
        authentication=Recorder("authentication", log),
        traffic=Recorder("traffic", log),
        authorization=Recorder("authorization", log),
        response_cache=Recorder("response_cache", log),
    )
    app = create_app(RouterConfig(), subgraphs.sdl, slots=slots)
    body = orjson.dumps({"query": '{ product(id: "1") { name } }'})
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
        ok = await client.post("/graphql", content=body, headers=JSON_HEADERS)
        assert ok.json() == {"data": {"product": {"name": "Kettlebell"}}}
        # authentication runs before analysis (no prepared operation yet), the others after.
        assert log == [("authentication", False), ("traffic", True), ("authorization", True), ("response_cache", True)]

        log.clear()
        refused = await client.post("/graphql", content=body, headers={**JSON_HEADERS, "x-refuse": "traffic"})
        assert refused.status_code == 403
        assert refused.json() == {"errors": [{"message": "refused by traffic", "extensions": {"code": "FORBIDDEN"}}]}
        assert [name for name, _ in log] == ["authentication", "traffic"]
    assert len(subgraphs.products.received) == 1


async def test_a_failing_stage_is_masked_as_500(subgraphs: Subgraphs) -> None:
    app = create_app(RouterConfig(), subgraphs.sdl, slots=StageSlots(authentication=Recorder("authentication", [])))
    body = orjson.dumps({"query": "{ __typename }"})
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
        response = await client.post("/graphql", content=body, headers={**JSON_HEADERS, "x-explode": "authentication"})
        assert response.status_code == 500
        assert response.json() == {
            "errors": [{"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
        }
        assert "secret" not in response.text
        assert len(response.headers["x-request-id"]) == 32
        # The router keeps serving.
        again = await client.post("/graphql", content=body, headers=JSON_HEADERS)
        assert again.json() == {"data": {"__typename": "Query"}}
