"""GraphQL-over-HTTP transport rules, over real HTTP against a router on real subgraphs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from tests.router.http.fixtures import JSON_HEADERS, Subgraphs, serve_router

GRAPHQL_RESPONSE = "application/graphql-response+json"
PRODUCT_QUERY = "query One($id: ID!) { product(id: $id) { id name } }"


@pytest.fixture(scope="module")
async def router(subgraphs: Subgraphs) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_router(subgraphs.sdl) as client:
        yield client


async def post(client: httpx.AsyncClient, body: object, **headers: str) -> httpx.Response:
    return await client.post("/graphql", content=orjson.dumps(body), headers={**JSON_HEADERS, **headers})


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
async def test_post_json_executes_and_answers_in_application_json(router: httpx.AsyncClient, content_type: str) -> None:
    response = await post(
        router,
        {"query": PRODUCT_QUERY, "variables": {"id": "2"}, "operationName": "One"},
        **{"content-type": content_type},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"product": {"id": "2", "name": "Yoga mat"}}}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", "application/json"),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE};q=0.8", GRAPHQL_RESPONSE),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html, */*;q=0.1", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=oops, application/json;q=0.2", "application/json"),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE),
    ],
)
async def test_response_media_type_follows_accept(router: httpx.AsyncClient, accept: str, media_type: str) -> None:
    response = await post(router, {"query": "{ product(id: \"1\") { name } }"}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json() == {"data": {"product": {"name": "Kettlebell"}}}


@pytest.mark.parametrize("accept", ["text/html", "application/xml, text/plain", f"{GRAPHQL_RESPONSE};q=0"])
async def test_unacceptable_accept_is_406(router: httpx.AsyncClient, accept: str) -> None:
    response = await post(router, {"query": "{ broken }"}, accept=accept)
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", None])
async def test_post_body_must_be_json_else_415(router: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"apollo-require-preflight": "true"}
    if content_type is not None:
        headers["content-type"] = content_type
    response = await router.post("/graphql", content=b'{"query": "{ broken }"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"query": "{ product(id: 1) { name } "', "not valid JSON"),
        (b"", "empty"),
        (b'"just a string"', "JSON object"),
        (b'{"variables": {}}', "no `query`"),
        (b'{"query": 42}', "`query` must be a string"),
        (b'{"query": "{ broken }", "variables": [1]}', "`variables` must be an object"),
        (b'{"query": "{ broken }", "operationName": 7}', "`operationName` must be a string"),
        (b'{"query": "{ broken }", "extensions": "x"}', "`extensions` must be an object"),
    ],
)
async def test_malformed_requests_are_400_whatever_the_media_type(
    router: httpx.AsyncClient, accept: str, body: bytes, fragment: str
) -> None:
    response = await router.post("/graphql", content=body, headers={**JSON_HEADERS, "accept": accept})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert fragment in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("accept", "status"), [("application/json", 200), (GRAPHQL_RESPONSE, 400), (None, 200)]
)
@pytest.mark.parametrize("query", ["{ product(id: \"1\") { nope } }", "{ product(id: ", "query A { broken } query B { broken }"])
async def test_request_errors_status_depends_on_media_type(
    router: httpx.AsyncClient, accept: str | None, status: int, query: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = await post(router, {"query": query}, **headers)
    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    assert body["errors"] and all(isinstance(error["message"], str) for error in body["errors"])


async def test_get_with_url_parameters(router: httpx.AsyncClient) -> None:
    response = await router.get(
        "/graphql",
        params={"query": PRODUCT_QUERY, "variables": '{"id": "3"}', "operationName": "One"},
        headers={"apollo-require-preflight": "true"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"product": {"id": "3", "name": "Rowing machine"}}}


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_get_mutation_is_405_with_allow_post(router: httpx.AsyncClient, accept: str, subgraphs: Subgraphs) -> None:
    response = await router.get(
        "/graphql",
        params={"query": 'mutation { addProduct(name: "Bench") { id } }'},
        headers={"apollo-require-preflight": "true", "accept": accept},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert subgraphs.products.received == []


async def test_post_mutation_runs(router: httpx.AsyncClient) -> None:
    response = await post(router, {"query": 'mutation { addProduct(name: "Bench", price: 120) { id name price } }'})
    assert response.json() == {"data": {"addProduct": {"id": "new", "name": "Bench", "price": 120}}}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"query": "{ broken }", "variables": "{not json"}, "`variables` URL parameter is not valid JSON"),
        ({"query": "{ broken }", "extensions": "[1"}, "`extensions` URL parameter is not valid JSON"),
        ({"query": "{ broken }", "variables": "[1, 2]"}, "`variables` must be an object"),
        ({}, "no `query`"),
    ],
)
async def test_get_malformed_parameters_are_400(router: httpx.AsyncClient, params: dict[str, str], fragment: str) -> None:
    response = await router.get("/graphql", params=params, headers={"apollo-require-preflight": "true"})
    assert response.status_code == 400
    assert fragment in response.json()["errors"][0]["message"]


async def test_batch_returns_results_in_order(router: httpx.AsyncClient) -> None:
    batch = [
        {"query": PRODUCT_QUERY, "variables": {"id": "1"}},
        {"query": "{ product(id: \"1\") { nope } }"},
        {"query": "query Two { products(first: 2) { name } }", "operationName": "Two"},
    ]
    response = await post(router, batch)
    assert response.status_code == 200
    results = response.json()
    assert isinstance(results, list) and len(results) == 3
    assert results[0] == {"data": {"product": {"id": "1", "name": "Kettlebell"}}}
    assert "data" not in results[1] and results[1]["errors"]
    assert results[2] == {"data": {"products": [{"name": "Kettlebell"}, {"name": "Yoga mat"}]}}


async def test_batch_limits(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl, {"limits": {"max_batch": 2}}) as client:
        allowed = await post(client, [{"query": "{ __typename }"}] * 2)
        assert allowed.json() == [{"data": {"__typename": "Query"}}] * 2
        too_many = await post(client, [{"query": "{ __typename }"}] * 3)
        assert too_many.status_code == 400
        assert too_many.json()["errors"][0]["extensions"]["code"] == "BATCH_LIMIT_EXCEEDED"
        empty = await post(client, [])
        assert empty.status_code == 400
        malformed = await post(client, [{"query": "{ __typename }"}, 5])
        assert malformed.status_code == 400
        assert "batch operation 1" in malformed.json()["errors"][0]["message"]


async def test_body_size_limit_is_413(subgraphs: Subgraphs) -> None:
    async with serve_router(subgraphs.sdl, {"limits": {"max_body_bytes": 200}}) as client:
        small = await post(client, {"query": "{ __typename }"})
        assert small.status_code == 200
        big = await post(client, {"query": "{ __typename }", "variables": {"pad": "x" * 300}})
        assert big.status_code == 413
        assert big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        async def chunks() -> AsyncIterator[bytes]:  # no content-length: the stream is counted
            for _ in range(10):
                yield b" " * 50
            yield b'{"query": "{ __typename }"}'

        streamed = await client.post("/graphql", content=chunks(), headers=JSON_HEADERS)
        assert streamed.status_code == 413


async def test_health_and_ready(router: httpx.AsyncClient) -> None:
    health = await router.get("/health")
    assert (health.status_code, health.json()) == (200, {"status": "UP"})
    ready = await router.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "READY"})


async def test_ready_reports_unreachable_redis(subgraphs: Subgraphs) -> None:
    # Port 1 on loopback refuses connections: Redis configured but down.
    async with serve_router(subgraphs.sdl, {"apq": {"redis_url": "redis://127.0.0.1:1/0"}}) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "NOT_READY"
        assert (await client.get("/health")).status_code == 200


async def test_request_id_is_echoed_or_generated(router: httpx.AsyncClient) -> None:
    supplied = await post(router, {"query": "{ __typename }"}, **{"x-request-id": "abc-123"})
    assert supplied.headers["x-request-id"] == "abc-123"
    generated = await post(router, {"query": "{ __typename }"}, **{"x-request-id": "bad id\twith junk"})
    assert generated.headers["x-request-id"] != "bad id\twith junk"
    assert len(generated.headers["x-request-id"]) == 32
    other = await post(router, {"query": "{ __typename }"})
    assert other.headers["x-request-id"] != generated.headers["x-request-id"]


async def test_unknown_paths_and_methods(router: httpx.AsyncClient) -> None:
    assert (await router.get("/nope")).status_code == 404
    assert (await router.put("/graphql", content=b"{}", headers=JSON_HEADERS)).status_code == 405


async def test_federated_query_across_two_subgraphs(router: httpx.AsyncClient, subgraphs: Subgraphs) -> None:
    response = await post(router, {"query": "{ products(first: 2) { name reviews { stars } } }"})
    assert response.json() == {
        "data": {
            "products": [
                {"name": "Kettlebell", "reviews": [{"stars": 5}]},
                {"name": "Yoga mat", "reviews": [{"stars": 2}, {"stars": 4}]},
            ]
        }
    }
    # One _entities call for both products: the router batches representations.
    assert [r.representations for r in subgraphs.reviews.received] == [
        [{"__typename": "Product", "id": "1"}, {"__typename": "Product", "id": "2"}]
    ]


async def test_batch_is_200_under_graphql_response_json_even_with_request_errors(router: httpx.AsyncClient) -> None:
    response = await post(
        router, [{"query": "{ nope }"}, {"query": "{ __typename }"}], accept=GRAPHQL_RESPONSE
    )
    assert response.status_code == 200
    first, second = response.json()
    assert "data" not in first and first["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert second == {"data": {"__typename": "Query"}}


async def test_concurrent_requests_do_not_share_state(router: httpx.AsyncClient) -> None:
    ids = [str(1 + index % 3) for index in range(60)]

    async def one(index: int, product_id: str) -> tuple[int, httpx.Response]:
        return index, await post(
            router,
            {"query": PRODUCT_QUERY, "variables": {"id": product_id}},
            **{"x-request-id": f"req-{index}"},
        )

    results = await asyncio.gather(*(one(index, product_id) for index, product_id in enumerate(ids)))
    names = {"1": "Kettlebell", "2": "Yoga mat", "3": "Rowing machine"}
    for index, response in results:
        assert response.headers["x-request-id"] == f"req-{index}"
        assert response.json() == {"data": {"product": {"id": ids[index], "name": names[ids[index]]}}}
