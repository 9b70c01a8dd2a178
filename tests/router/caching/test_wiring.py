"""The pieces of issue 5 wired into the router's public factory (`router.app.create_app`), the
way the lead wires them: stages through StageSlots, routes appended to the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson

from router.app import create_app
from router.caching.chain import chain_stages
from router.caching.config import ResponseCacheConfig
from router.config import RouterConfig, parse_config
from router.engine import Engine
from router.exports.config import ExportsConfig
from router.exports.pipeline import export_pipeline
from router.exports.routes import exports_routes
from router.graphiql import GraphiQLConfig, graphiql_routes
from router.pipeline import EngineLike, StageSlots
from router.security.authn import Authenticator
from router.stages.authn import AuthnStage
from router.stages.response_cache import ResponseCacheStage
from router.stages.trusted import TrustedDocuments, TrustedDocumentsConfig
from tests.router.caching.shop import SHOP_SUPERGRAPH, Shop, running_shop
from tests.router.caching.support import AUTH, JSON_HEADERS, bearer
from tests.support.servers import running_server

PRODUCTS = "query Products { products { id name } }"
EXPORT = """# export: products
# rows: products
query ProductsExport { products { id name price } }
"""


async def test_create_app_with_the_caching_stages_and_routes(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(orjson.dumps({"anything": PRODUCTS}))
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "products.graphql").write_text(EXPORT, encoding="utf-8")
    async with running_shop() as shop:
        app, cache = _app(shop, tmp_path, manifest)
        async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
            before = shop.requests
            one = await client.post("/graphql", json={"query": PRODUCTS}, headers=JSON_HEADERS)
            two = await client.post("/graphql", json={"query": PRODUCTS}, headers=JSON_HEADERS)
            assert one.json() == two.json() and shop.requests == before + 1
            assert two.headers["cache-control"] == "max-age=120, public"
            free = await client.post("/graphql", json={"query": "{ greeting }"}, headers=bearer("u"))
            assert free.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
            admin = await client.post(
                "/graphql", json={"query": "{ greeting }"}, headers=bearer("a", "admin")
            )
            assert admin.json() == {"data": {"greeting": "hello"}}
            page = await client.get("/graphiql")
            assert page.status_code == 200
            csv = await client.get("/exports/products.csv", headers=bearer("bi-user", "bi"))
            assert csv.text.splitlines() == ["id,name,price", "1,Kettlebell,40", "2,Mat,25"]
        await cache.aclose()


def _app(shop: Shop, tmp_path: Path, manifest: Path) -> tuple[Any, ResponseCacheStage]:
    config: RouterConfig = parse_config({})
    trusted = TrustedDocuments(TrustedDocumentsConfig(mode="safelist", manifest=str(manifest)))
    cache = ResponseCacheStage(
        ResponseCacheConfig(enabled=True, types={"Product": {"max_age": 60}})  # type: ignore[dict-item]
    )
    authenticator = Authenticator(AUTH)

    def engine_factory(sdl: str, _config: RouterConfig) -> EngineLike:
        return Engine(sdl, subgraph_urls={"shop": shop.url})

    # With the APQ stage first, `trusted.resolve` would need its own slot before APQ; here,
    # clients send texts, so composing both trusted stages after authentication suffices.
    slots = StageSlots(
        authentication=chain_stages(AuthnStage(authenticator), trusted.resolve, trusted.enforce),
        response_cache=cache,
    )
    app = create_app(config, SHOP_SUPERGRAPH, engine_factory=engine_factory, slots=slots)
    holder = app.state.engine_holder
    app.router.routes.extend(graphiql_routes(GraphiQLConfig(enabled=True), authenticator=authenticator))
    exports = ExportsConfig(enabled=True, directory=str(tmp_path / "exports"))
    app.router.routes.extend(
        exports_routes(exports, holder, export_pipeline(config, slots), authenticator=authenticator)
    )
    return app, cache
