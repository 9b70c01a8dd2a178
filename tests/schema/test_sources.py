"""Subgraph SDL sources: file, inline, a running subgraph's `_service { sdl }`, a Python module."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from schema.config import SchemaSource, SubgraphConfig, SupergraphConfig
from schema.sources import SourceError, load_subgraphs, module_sdl, service_sdl
from tests.schema.sample_subgraph import schema as sample_schema
from tests.support.servers import running_server


def _app() -> FastAPI:
    app = FastAPI()
    app.include_router(GraphQLRouter(sample_schema), prefix="/graphql")
    return app


def _config(tmp_path: Path, **sources: SchemaSource) -> SupergraphConfig:
    return SupergraphConfig(
        subgraphs={
            name: SubgraphConfig(routing_url=f"http://{name}/graphql", schema=source)
            for name, source in sources.items()
        },
        base_dir=tmp_path,
    )


async def test_running_subgraph_serves_its_sdl_through_service() -> None:
    async with running_server(_app()) as base_url:
        sdl = await service_sdl(f"{base_url}/graphql")

    assert 'type Coach @key(fields: "id")' in sdl
    assert sdl == sample_schema.as_str()


async def test_unreachable_or_non_federated_url_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot reach"):
        await service_sdl("http://127.0.0.1:9/graphql", request_timeout=2)


def test_module_source_accepts_schema_objects_and_factories() -> None:
    from_object = module_sdl("tests.schema.sample_subgraph:schema")
    from_factory = module_sdl("tests.schema.sample_subgraph:create_schema")

    assert from_object == from_factory == sample_schema.as_str()
    with pytest.raises(SourceError, match="cannot import"):
        module_sdl("tests.schema.sample_subgraph:nothing_here")
    with pytest.raises(SourceError, match="package.module:attribute"):
        module_sdl("tests.schema.sample_subgraph")
    with pytest.raises(SourceError, match="RuntimeError: schema under construction"):
        module_sdl("tests.schema.sample_subgraph:broken_factory")


async def test_load_subgraphs_from_every_kind_of_source(tmp_path: Path) -> None:
    (tmp_path / "plans.graphql").write_text("type Query { plans: [String] }\n", encoding="utf-8")
    async with running_server(_app()) as base_url:
        config = _config(
            tmp_path,
            plans=SchemaSource(file="plans.graphql"),
            inline=SchemaSource(sdl="type Query { inline: Int }"),
            remote=SchemaSource(subgraph_url=f"{base_url}/graphql"),
            local=SchemaSource(module="tests.schema.sample_subgraph:schema"),
        )
        subgraphs = await load_subgraphs(config)

    assert [(s.name, s.url) for s in subgraphs] == [
        ("plans", "http://plans/graphql"),
        ("inline", "http://inline/graphql"),
        ("remote", "http://remote/graphql"),
        ("local", "http://local/graphql"),
    ]
    assert subgraphs[0].sdl == "type Query { plans: [String] }\n"
    assert subgraphs[2].sdl == subgraphs[3].sdl == sample_schema.as_str()


async def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        await load_subgraphs(_config(tmp_path, a=SchemaSource(file="absent.graphql")))
