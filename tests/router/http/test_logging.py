"""One JSON-able log line per request: ids, status, operation; never tokens or variables."""

from __future__ import annotations

import orjson
import structlog
from structlog.testing import capture_logs

from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router

TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl"


async def test_one_line_per_request_without_secrets(subgraphs: Subgraphs) -> None:
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    async with serve_router(subgraphs.sdl) as client:
        # merge_contextvars: as in production, the request's ids come from the bound context.
        with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            response = await client.post(
                "/graphql",
                content=orjson.dumps(
                    {
                        "query": "query Named($first: Int) { products(first: $first) { name } }",
                        "operationName": "Named",
                        "variables": {"first": 1, "password": "pa55word"},
                    }
                ),
                headers={**JSON_HEADERS, "authorization": f"Bearer {TOKEN}", "traceparent": traceparent},
            )
            batch = await client.post(
                "/graphql", content=orjson.dumps([{"query": "{ __typename }"}, {"query": "{ nope }"}]), headers=JSON_HEADERS
            )
    assert response.status_code == 200 and batch.status_code == 200
    lines = [entry for entry in logs if entry["event"] == "graphql_request"]
    assert len(lines) == 2
    first, second = lines
    assert first["request_id"] == response.headers["x-request-id"]
    assert first["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert (first["status"], first["method"], first["operation_name"]) == (200, "POST", "Named")
    assert first["duration_ms"] >= 0
    assert second["batch_size"] == 2
    assert second["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    text = orjson.dumps(logs, default=str).decode()
    assert TOKEN not in text and "pa55word" not in text
    # Every entry is JSON-serialisable as is: the production renderer is structlog's JSONRenderer.
    assert all(isinstance(orjson.dumps(entry), bytes) for entry in lines)
