"""OpenTelemetry spans: server span continuing the client's W3C trace, a span per operation
and per pipeline stage, a CLIENT span per subgraph fetch whose context the subgraph receives."""

from __future__ import annotations

import re

import orjson
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from router.observability import Telemetry, TelemetryConfig
from tests.router.http.fixtures import Subgraphs
from tests.router.observability.support import JSON_HEADERS, serve

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CLIENT_SPAN}-01"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def _by_name(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name.startswith(prefix)]


def _hex_span(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.span_id, "016x")


async def test_client_trace_is_continued_through_stages_to_subgraphs(subgraphs: Subgraphs) -> None:
    exporter = InMemorySpanExporter()
    telemetry = Telemetry(exporters=[exporter])
    async with serve(subgraphs.sdl, telemetry=telemetry) as client:
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": 'query Traced { product(id: "2") { name reviews { stars } } }'}),
            headers={**JSON_HEADERS, "traceparent": TRACEPARENT, "tracestate": "vendor=abc"},
        )
    assert response.json()["data"]["product"]["name"] == "Yoga mat"
    spans = exporter.get_finished_spans()
    assert {format(span.context.trace_id, "032x") for span in spans if span.context} == {TRACE_ID}

    [server] = _by_name(spans, "POST /graphql")
    assert server.kind is SpanKind.SERVER
    assert server.parent is not None and format(server.parent.span_id, "016x") == CLIENT_SPAN
    assert server.attributes is not None and server.attributes["http.response.status_code"] == 200

    [operation] = _by_name(spans, "query Traced")
    assert operation.parent is not None and operation.parent.span_id == server.context.span_id  # type: ignore[union-attr]
    assert operation.attributes is not None and operation.attributes["graphql.operation.name"] == "Traced"

    stages = _by_name(spans, "router.stage ")
    names = [span.name for span in stages]
    for expected in ("HeadersStage", "PersistedQueryStage", "AnalysisStage", "LimitsStage", "ExecutionStage"):
        assert f"router.stage {expected}" in names
    # Each stage's span is the child of the stage before it; the first is the operation's child.
    by_id = {span.context.span_id: span for span in spans if span.context}
    execution = next(span for span in stages if span.name == "router.stage ExecutionStage")
    chain: list[str] = []
    current: ReadableSpan | None = execution
    while current is not None and current.name.startswith("router.stage "):
        chain.append(current.name.removeprefix("router.stage "))
        current = by_id.get(current.parent.span_id) if current.parent else None
    assert current is operation
    # Every stage ran, so every stage span sits on that one chain, the first stage outermost.
    assert sorted(chain) == sorted(name.removeprefix("router.stage ") for name in names)
    assert chain[-1] == "CsrfStage" and chain[0] == "ExecutionStage"
    assert execution.attributes is not None and execution.attributes["router.stage.answered"] is True

    fetches = _by_name(spans, "subgraph ")
    assert sorted(span.name for span in fetches) == ["subgraph products", "subgraph reviews"]
    for fetch in fetches:
        assert fetch.kind is SpanKind.CLIENT
        assert fetch.parent is not None and by_id[fetch.parent.span_id] in stages
    # Each subgraph saw the trace, with its own fetch span as parent (W3C Trace Context §3.2).
    for name, subgraph in (("products", subgraphs.products), ("reviews", subgraphs.reviews)):
        [received] = subgraph.received
        match = _TRACEPARENT.match(received.headers["traceparent"])
        assert match is not None and match.group(1) == TRACE_ID
        fetch = next(span for span in fetches if span.name == f"subgraph {name}")
        assert match.group(2) == _hex_span(fetch)
        assert received.headers.get("tracestate") == "vendor=abc"


async def test_router_starts_a_trace_and_logs_its_id(subgraphs: Subgraphs) -> None:
    exporter = InMemorySpanExporter()
    async with serve(subgraphs.sdl, telemetry=Telemetry(exporters=[exporter])) as client:
        response = await client.post(
            "/graphql", content=orjson.dumps({"query": "{ products(first: 1) { id } }"}), headers=JSON_HEADERS
        )
    assert response.json() == {"data": {"products": [{"id": "1"}]}}
    spans = exporter.get_finished_spans()
    [server] = _by_name(spans, "POST /graphql")
    assert server.parent is None
    [received] = subgraphs.products.received
    match = _TRACEPARENT.match(received.headers["traceparent"])
    assert match is not None
    assert match.group(1) == format(server.context.trace_id, "032x")  # type: ignore[union-attr]


async def test_refusals_mark_the_answering_stage_and_probes_are_untraced(subgraphs: Subgraphs) -> None:
    exporter = InMemorySpanExporter()
    async with serve(subgraphs.sdl, telemetry=Telemetry(exporters=[exporter])) as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200
        response = await client.post(
            "/graphql", content=orjson.dumps({"query": "{ nope }"}), headers=JSON_HEADERS
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    spans = exporter.get_finished_spans()
    assert not _by_name(spans, "GET ")
    [analysis] = _by_name(spans, "router.stage AnalysisStage")
    assert analysis.attributes is not None and analysis.attributes["router.stage.answered"] is True
    assert analysis.status.status_code is StatusCode.ERROR
    assert not _by_name(spans, "router.stage ExecutionStage")
    [operation] = _by_name(spans, "graphql.operation")
    assert operation.attributes is not None
    assert list(operation.attributes["graphql.error.codes"]) == ["GRAPHQL_VALIDATION_FAILED"]  # type: ignore[arg-type]
    assert subgraphs.products.received == []


async def test_tracing_off_adds_no_middleware_and_keeps_client_traceparent(subgraphs: Subgraphs) -> None:
    telemetry = Telemetry(TelemetryConfig())
    assert not telemetry.enabled
    async with serve(subgraphs.sdl, telemetry=telemetry) as client:
        await client.post(
            "/graphql",
            content=orjson.dumps({"query": "{ products(first: 1) { id } }"}),
            headers={**JSON_HEADERS, "traceparent": TRACEPARENT},
        )
    [received] = subgraphs.products.received
    assert received.headers["traceparent"] == TRACEPARENT


async def test_unsampled_client_trace_records_nothing_but_still_propagates(subgraphs: Subgraphs) -> None:
    exporter = InMemorySpanExporter()
    unsampled = f"00-{TRACE_ID}-{CLIENT_SPAN}-00"
    async with serve(subgraphs.sdl, telemetry=Telemetry(exporters=[exporter])) as client:
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": "{ products(first: 1) { id } }"}),
            headers={**JSON_HEADERS, "traceparent": unsampled},
        )
    assert response.json() == {"data": {"products": [{"id": "1"}]}}
    # Parent-based sampling: the client decided not to sample, so the router records no span...
    assert exporter.get_finished_spans() == ()
    # ...but the subgraph still joins the client's trace, unsampled as well.
    [received] = subgraphs.products.received
    version, trace_id, _, flags = received.headers["traceparent"].split("-")
    assert (version, trace_id, int(flags, 16) & 1) == ("00", TRACE_ID, 0)


async def test_each_operation_of_a_batch_has_its_own_span_under_the_request(subgraphs: Subgraphs) -> None:
    exporter = InMemorySpanExporter()
    async with serve(subgraphs.sdl, telemetry=Telemetry(exporters=[exporter])) as client:
        response = await client.post(
            "/graphql",
            content=orjson.dumps(
                [
                    {"query": "query BatchA { products(first: 1) { id } }"},
                    {"query": 'query BatchB { product(id: "3") { name } }'},
                ]
            ),
            headers=JSON_HEADERS,
        )
    assert response.json() == [
        {"data": {"products": [{"id": "1"}]}},
        {"data": {"product": {"name": "Rowing machine"}}},
    ]
    spans = exporter.get_finished_spans()
    [server] = _by_name(spans, "POST /graphql")
    operations = _by_name(spans, "query Batch")
    assert sorted(span.name for span in operations) == ["query BatchA", "query BatchB"]
    assert all(
        span.parent is not None and span.parent.span_id == server.context.span_id for span in operations
    )  # type: ignore[union-attr]
    assert len(_by_name(spans, "subgraph products")) == 2
