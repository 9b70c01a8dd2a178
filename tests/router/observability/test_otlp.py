"""OTLP/HTTP export configured in router.yaml, received by a real OTLP endpoint on loopback."""

from __future__ import annotations

import orjson
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from router.config import ConfigError, parse_config
from tests.router.http.fixtures import Subgraphs
from tests.router.observability.support import JSON_HEADERS, serve
from tests.support.servers import running_server


class _Receiver:
    """The traces endpoint of an OTLP/HTTP collector (OTLP spec: POST /v1/traces, protobuf)."""

    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []
        self.content_types: list[str] = []
        self.authorization: list[str | None] = []

    async def traces(self, request: Request) -> Response:
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.body())
        self.requests.append(message)
        self.content_types.append(request.headers.get("content-type", ""))
        self.authorization.append(request.headers.get("x-collector-key"))
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf")

    def spans(self) -> list[tuple[str, str]]:
        """(service.name, span name) of every span received."""
        found: list[tuple[str, str]] = []
        for message in self.requests:
            for resource_spans in message.resource_spans:
                service = next(
                    (
                        a.value.string_value
                        for a in resource_spans.resource.attributes
                        if a.key == "service.name"
                    ),
                    "",
                )
                for scope_spans in resource_spans.scope_spans:
                    found.extend((service, span.name) for span in scope_spans.spans)
        return found


async def test_spans_are_exported_over_otlp_http(subgraphs: Subgraphs) -> None:
    receiver = _Receiver()
    collector = Starlette(routes=[Route("/v1/traces", receiver.traces, methods=["POST"])])
    async with running_server(collector) as collector_url:
        config = {
            "telemetry": {
                "service_name": "router-under-test",
                "tracing": {
                    "enabled": True,
                    "otlp": {"endpoint": f"{collector_url}/v1/traces", "headers": {"x-collector-key": "k1"}},
                },
            }
        }
        async with serve(subgraphs.sdl, config) as client:
            for _ in range(2):
                response = await client.post(
                    "/graphql",
                    content=orjson.dumps(
                        {"query": 'query Exported { product(id: "1") { name reviews { body } } }'}
                    ),
                    headers=JSON_HEADERS,
                )
                assert response.json()["data"]["product"]["name"] == "Kettlebell"
        # Leaving `serve` shut the router down, which flushes the batch processor.
    spans = receiver.spans()
    assert receiver.requests and all(kind == "application/x-protobuf" for kind in receiver.content_types)
    assert set(receiver.authorization) == {"k1"}
    assert {service for service, _ in spans} == {"router-under-test"}
    names = [name for _, name in spans]
    assert names.count("POST /graphql") == 2
    assert names.count("query Exported") == 2
    assert names.count("subgraph products") == 2 and names.count("subgraph reviews") == 2
    assert names.count("router.stage ExecutionStage") == 2


def test_telemetry_section_refuses_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ConfigError, match=r"telemetry\.tracing\.exporter: unknown key"):
        parse_config({"telemetry": {"tracing": {"exporter": "otlp"}}})
    with pytest.raises(ConfigError, match=r"telemetry\.tracing\.sample_ratio"):
        parse_config({"telemetry": {"tracing": {"sample_ratio": 2}}})
    with pytest.raises(ConfigError, match=r"telemetry\.tracing\.otlp\.endpoint"):
        parse_config({"telemetry": {"tracing": {"otlp": {"endpoint": "collector:4318"}}}})
    config = parse_config(
        {
            "telemetry": {
                "tracing": {
                    "enabled": "${env.TRACING:-true}",
                    "otlp": {"endpoint": "http://c:4318/v1/traces"},
                }
            }
        },
        environ={},
    )
    assert config.telemetry.tracing.enabled is True
    assert config.telemetry.tracing.otlp is not None and config.telemetry.tracing.otlp.timeout == 10.0
