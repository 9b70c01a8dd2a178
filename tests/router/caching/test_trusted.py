"""Trusted documents: manifest forms, resolution by id, the three modes, cached preparation,
reload on change, over a real router and real subgraphs on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from router.engine import Engine
from router.pipeline import Operation
from router.stages.trusted import (
    ManifestError,
    TrustedDocuments,
    TrustedDocumentsConfig,
    load_manifest,
    parse_manifest,
)
from router.types import GraphQLRequest, GraphQLResponse, RequestContext
from tests.router.caching.support import JSON_HEADERS, bearer, router_app, serving
from tests.router.http.fixtures import Subgraphs

PRODUCT = "query Product($id: ID!) { product(id: $id) { id name } }"
PRODUCTS = "query Products { products { name } }"
FREE = "{ products { id price } }"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write_manifest(path: Path, *bodies: str) -> None:
    operations = [{"id": _sha(body), "body": body, "name": body.split()[1].split("(")[0]} for body in bodies]
    path.write_bytes(
        orjson.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations})
    )


def _count(outcome: str) -> float:
    return REGISTRY.get_sample_value("fitgraph_router_trusted_documents_total", {"outcome": outcome}) or 0.0


def _by_hash(body: str, **extra: Any) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": _sha(body)}}, **extra}


class _CountingEngine(Engine):
    """Counts `prepare` calls: the by-id path must not reach the Engine's parse/validate."""

    def __init__(self, sdl: str) -> None:
        super().__init__(sdl)
        self.prepared: list[str | None] = []

    def prepare(self, request: GraphQLRequest) -> Any:
        self.prepared.append(request.query)
        return super().prepare(request)


def _trusted(tmp_path: Path, mode: str, *bodies: str, **options: Any) -> TrustedDocuments:
    manifest = tmp_path / "manifest.json"
    _write_manifest(manifest, *bodies)
    return TrustedDocuments(TrustedDocumentsConfig(mode=mode, manifest=str(manifest), **options))  # type: ignore[arg-type]


def test_both_manifest_forms_parse() -> None:
    apollo = parse_manifest({"format": "x", "operations": [{"id": "a", "body": PRODUCT, "name": "Product"}]})
    flat = parse_manifest({"b": PRODUCTS})
    assert apollo.by_id["a"].name == "Product" and apollo.by_body[PRODUCT].id == "a"
    assert flat.by_id["b"].body == PRODUCTS and flat.by_id["b"].name is None


@pytest.mark.parametrize(
    "data",
    [[], {"operations": [{"id": "a"}]}, {"operations": ["x"]}, {"a": 3}, {"a": "  "}],
)
def test_malformed_manifests_are_refused(data: Any) -> None:
    with pytest.raises(ManifestError):
        parse_manifest(data)


def test_a_missing_manifest_is_fatal_at_start(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        load_manifest(tmp_path / "absent.json")
    with pytest.raises(ManifestError, match="needs a `manifest`"):
        TrustedDocuments(TrustedDocumentsConfig(mode="safelist"))


async def test_safelist_runs_manifest_operations_by_hash_and_refuses_free_queries(
    subgraphs: Subgraphs, tmp_path: Path
) -> None:
    trusted = _trusted(tmp_path, "safelist", PRODUCT)
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
    refused_before = _count("refused")
    async with serving(app) as client:
        by_hash = await client.post(
            "/graphql", json=_by_hash(PRODUCT, variables={"id": "2"}), headers=JSON_HEADERS
        )
        assert by_hash.json() == {"data": {"product": {"id": "2", "name": "Yoga mat"}}}
        same_text = await client.post(
            "/graphql", json={"query": PRODUCT, "variables": {"id": "1"}}, headers=JSON_HEADERS
        )
        assert same_text.json()["data"] == {"product": {"id": "1", "name": "Kettlebell"}}
        free = await client.post("/graphql", json={"query": FREE}, headers=bearer("u1"))
        assert free.status_code == 400
        assert free.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        assert "data" not in free.json()
    # Refused before any subgraph call.
    assert [request.variables for request in subgraphs.products.received] == [{"id": "2"}, {"id": "1"}]
    assert _count("refused") == refused_before + 1


async def test_safelist_lets_admins_send_free_queries_only_when_allowed(
    subgraphs: Subgraphs, tmp_path: Path
) -> None:
    allowing = _trusted(tmp_path, "safelist", PRODUCT)
    strict = _trusted(tmp_path, "safelist", PRODUCT, allow_admin_free_queries=False)
    for trusted, admin_allowed in ((allowing, True), (strict, False)):
        app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
        async with serving(app) as client:
            admin = await client.post("/graphql", json={"query": FREE}, headers=bearer("root", "admin"))
            anonymous = await client.post("/graphql", json={"query": FREE}, headers=JSON_HEADERS)
        if admin_allowed:
            assert admin.json()["data"]["products"][0] == {"id": "1", "price": 40}
        else:
            assert admin.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_require_id_refuses_even_an_identical_text(subgraphs: Subgraphs, tmp_path: Path) -> None:
    trusted = _trusted(tmp_path, "safelist", PRODUCTS, require_id=True)
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
    async with serving(app) as client:
        text = await client.post("/graphql", json={"query": PRODUCTS}, headers=JSON_HEADERS)
        by_id = await client.get(
            "/graphql",
            params={"extensions": orjson.dumps(_by_hash(PRODUCTS)["extensions"]).decode()},
            headers={"apollo-require-preflight": "true"},
        )
    assert text.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert by_id.json()["data"]["products"][2] == {"name": "Rowing machine"}


async def test_log_unknown_runs_and_logs_free_queries(subgraphs: Subgraphs, tmp_path: Path) -> None:
    trusted = _trusted(tmp_path, "log_unknown", PRODUCT)
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
    async with serving(app) as client:
        with capture_logs() as logs:
            free = await client.post("/graphql", json={"query": FREE}, headers=JSON_HEADERS)
            known = await client.post(
                "/graphql", json={"query": PRODUCT, "variables": {"id": "3"}}, headers=JSON_HEADERS
            )
    assert free.json()["data"]["products"][1] == {"id": "2", "price": 25}
    assert known.json()["data"]["product"]["name"] == "Rowing machine"
    unknown = [entry for entry in logs if entry["event"] == "unknown_operation"]
    assert [entry["sha256"] for entry in unknown] == [_sha(FREE)]


async def test_operations_by_id_skip_parse_and_validation(subgraphs: Subgraphs, tmp_path: Path) -> None:
    trusted = _trusted(tmp_path, "safelist", PRODUCT)
    engine = _CountingEngine(subgraphs.sdl)
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce, engine=engine)
    async with serving(app) as client:
        for product_id in ("1", "2", "3"):
            response = await client.post(
                "/graphql", json=_by_hash(PRODUCT, variables={"id": product_id}), headers=JSON_HEADERS
            )
            assert response.json()["data"]["product"]["id"] == product_id
        for _ in range(2):
            admin = await client.post("/graphql", json={"query": FREE}, headers=bearer("root", "admin"))
            assert "errors" not in admin.json()
    # Prepared once for the manifest entry; free queries go through the Engine every time.
    assert engine.prepared == [PRODUCT, FREE, FREE]


async def test_document_id_resolves_and_unknown_ids_are_refused(subgraphs: Subgraphs, tmp_path: Path) -> None:
    trusted = _trusted(tmp_path, "safelist", PRODUCTS)
    engine = Engine(subgraphs.sdl)
    seen: list[GraphQLRequest] = []

    async def capture(operation: Operation) -> GraphQLResponse:
        seen.append(operation.request)
        return GraphQLResponse(body={"data": {}})

    def operation(request: GraphQLRequest) -> Operation:
        return Operation(request, RequestContext(request_id="t"), "POST", engine)

    try:
        known = GraphQLRequest(query=None, extensions={"documentId": _sha(PRODUCTS), "tracing": True})
        await trusted.resolve(operation(known), capture)
        assert seen[0].query == PRODUCTS and seen[0].operation_name == "Products"
        assert seen[0].extensions == {"tracing": True}
        unknown = await trusted.resolve(
            operation(GraphQLRequest(query=None, extensions={"documentId": "nope"})), capture
        )
        assert unknown.body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        mismatch = await trusted.resolve(
            operation(GraphQLRequest(query=FREE, extensions={"documentId": _sha(PRODUCTS)})), capture
        )
        assert mismatch.body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_MISMATCH"
        assert len(seen) == 1
    finally:
        await engine.aclose()


async def test_an_unknown_apq_hash_is_left_to_apq(subgraphs: Subgraphs, tmp_path: Path) -> None:
    trusted = _trusted(tmp_path, "off", PRODUCT)
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
    async with serving(app) as client:
        miss = await client.post("/graphql", json=_by_hash(FREE), headers=JSON_HEADERS)
        assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        register = await client.post("/graphql", json={"query": FREE, **_by_hash(FREE)}, headers=JSON_HEADERS)
        assert register.json()["data"]["products"][0]["id"] == "1"
        hit = await client.post("/graphql", json=_by_hash(FREE), headers=JSON_HEADERS)
        assert hit.json() == register.json()


async def test_manifest_reloads_on_change_and_keeps_the_last_good_one(
    subgraphs: Subgraphs, tmp_path: Path
) -> None:
    trusted = _trusted(tmp_path, "safelist", PRODUCT, poll_interval=3600)
    manifest = tmp_path / "manifest.json"
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
    async with serving(app) as client:
        before = await client.post("/graphql", json={"query": PRODUCTS}, headers=JSON_HEADERS)
        assert before.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        _write_manifest(manifest, PRODUCT, PRODUCTS)
        stat = manifest.stat()
        os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert await trusted.reload() is True
        after = await client.post("/graphql", json=_by_hash(PRODUCTS), headers=JSON_HEADERS)
        assert after.json()["data"]["products"][0] == {"name": "Kettlebell"}
        manifest.write_text("{ not json", encoding="utf-8")
        assert await trusted.reload() is False
        still = await client.post("/graphql", json=_by_hash(PRODUCTS), headers=JSON_HEADERS)
        assert still.json() == after.json()
    assert len(trusted.manifest) == 2


async def test_requests_trigger_the_mtime_poll(subgraphs: Subgraphs, tmp_path: Path) -> None:
    trusted = _trusted(tmp_path, "safelist", PRODUCT, poll_interval=0.001)
    manifest = tmp_path / "manifest.json"
    _write_manifest(manifest, PRODUCT, PRODUCTS)
    stat = manifest.stat()
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    app = router_app(subgraphs.sdl, before_apq=trusted.resolve, after_authn=trusted.enforce)
    codes: list[str] = []
    async with serving(app) as client:
        # The reload runs in the background of a request; the requests after it see it.
        for _ in range(200):
            response = await client.post("/graphql", json={"query": PRODUCTS}, headers=JSON_HEADERS)
            if "data" in response.json():
                break
            codes.append(response.json()["errors"][0]["extensions"]["code"])
            await asyncio.sleep(0.01)
    assert response.json()["data"]["products"][0] == {"name": "Kettlebell"}
    assert set(codes) <= {"PERSISTED_QUERY_NOT_IN_LIST"}
    await trusted.aclose()
