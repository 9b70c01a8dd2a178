"""Error policy of the execution stage: subgraph errors redacted unless configured otherwise."""

from __future__ import annotations

import orjson

from router.stages.execution import REDACTED_MESSAGE, redact_subgraph_errors
from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router


def test_redaction_keeps_path_and_code_only() -> None:
    body = {
        "data": {"a": None},
        "errors": [
            {"message": "secret", "path": ["a"], "extensions": {"code": "X", "stack": "..."}},
            {"message": "no code"},
        ],
    }
    originals = redact_subgraph_errors(body)
    assert body["errors"] == [
        {"message": REDACTED_MESSAGE, "path": ["a"], "extensions": {"code": "X"}},
        {"message": REDACTED_MESSAGE},
    ]
    assert [error["message"] for error in originals] == ["secret", "no code"]


async def query_broken(subgraphs: Subgraphs, config: dict[str, object]) -> dict[str, object]:
    async with serve_router(subgraphs.sdl, config) as client:
        response = await client.post(
            "/graphql", content=orjson.dumps({"query": "{ broken products(first: 1) { name } }"}), headers=JSON_HEADERS
        )
        assert response.status_code == 200
        body: dict[str, object] = response.json()
        return body


async def test_subgraph_errors_are_redacted_by_default(subgraphs: Subgraphs) -> None:
    body = await query_broken(subgraphs, {})
    assert body["data"] == {"broken": None, "products": [{"name": "Kettlebell"}]}
    assert body["errors"] == [{"message": REDACTED_MESSAGE, "path": ["broken"], "extensions": {"code": "DB_DOWN"}}]
    assert "hunter2" not in orjson.dumps(body).decode()


async def test_include_subgraph_errors_passes_them_through(subgraphs: Subgraphs) -> None:
    body = await query_broken(subgraphs, {"include_subgraph_errors": True})
    assert body["data"] == {"broken": None, "products": [{"name": "Kettlebell"}]}
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert errors[0]["message"] == "database password is hunter2"
    assert errors[0]["path"] == ["broken"]
    assert errors[0]["extensions"]["code"] == "DB_DOWN"
