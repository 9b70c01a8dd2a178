"""router.yaml alone switches on issue 5's parts in the app `fitgraph router` serves: trusted
documents (by `documentId` over HTTP), the response cache, GraphiQL and BI exports."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson

from router.app import create_app
from router.config import RouterConfig, parse_config
from router.engine import Engine
from router.pipeline import EngineLike
from tests.router.caching.shop import SHOP_SUPERGRAPH, running_shop
from tests.router.caching.support import AUTH, JSON_HEADERS, bearer
from tests.support.servers import running_server

PRODUCTS = "query Products { products { id name } }"
EXPORT = """# export: products
# rows: products
query ProductsExport { products { id name price } }
"""


def _config(tmp_path: Path) -> RouterConfig:
    assert AUTH.hs256_secret is not None
    return parse_config(
        {
            "auth": {
                "issuer": AUTH.issuer,
                "audience": AUTH.audience,
                "algorithms": ["HS256"],
                "hs256_secret": AUTH.hs256_secret.get_secret_value(),
            },
            "trusted_documents": {
                "mode": "safelist",
                "manifest": "manifest.json",
                "allow_admin_free_queries": True,
            },
            "response_cache": {"enabled": True, "types": {"Product": {"max_age": 60}}},
            "graphiql": {"enabled": True},
            "exports": {"enabled": True, "directory": "exports"},
        }
    )


async def test_every_section_is_served_from_config_alone(tmp_path: Path) -> None:
    document_id = "products-v1"
    (tmp_path / "manifest.json").write_bytes(orjson.dumps({document_id: PRODUCTS}))
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "products.graphql").write_text(EXPORT, encoding="utf-8")
    async with running_shop() as shop:

        def engine_factory(sdl: str, _config: RouterConfig) -> EngineLike:
            return Engine(sdl, subgraph_urls={"shop": shop.url})

        app = create_app(_config(tmp_path), SHOP_SUPERGRAPH, engine_factory=engine_factory, base_dir=tmp_path)
        async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
            before = shop.requests
            by_id = await client.post("/graphql", json={"documentId": document_id}, headers=JSON_HEADERS)
            again = await client.get("/graphql", params={"documentId": document_id}, headers=JSON_HEADERS)
            subgraph_calls = shop.requests - before
            free = await client.post("/graphql", json={"query": "{ greeting }"}, headers=bearer("u"))
            admin = await client.post(
                "/graphql", json={"query": "{ greeting }"}, headers=bearer("a", "admin")
            )
            unknown = await client.post("/graphql", json={"documentId": "nope"}, headers=JSON_HEADERS)
            page = await client.get("/graphiql")
            csv = await client.get("/exports/products.csv", headers=bearer("bi-user", "bi"))
            refused = await client.get("/exports/products.csv", headers=bearer("u"))
    assert by_id.status_code == 200
    assert by_id.json() == {
        "data": {"products": [{"id": "1", "name": "Kettlebell"}, {"id": "2", "name": "Mat"}]}
    }
    assert again.json() == by_id.json()
    assert subgraph_calls == 1  # the second Products came from the response cache
    assert again.headers["cache-control"] == "max-age=120, public"  # Query.products own hint wins
    assert free.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert admin.json() == {"data": {"greeting": "hello"}}
    assert unknown.json()["errors"][0]["extensions"]["code"]
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert csv.text.splitlines() == ["id,name,price", "1,Kettlebell,40", "2,Mat,25"]
    assert refused.status_code in (401, 403)
