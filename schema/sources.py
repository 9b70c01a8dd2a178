"""Fetch each subgraph's SDL from its `supergraph.yaml` source: a file, inline SDL, a running
subgraph's `_service { sdl }` (Federation subgraph spec), or a Python module's Strawberry schema."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from typing import Any

import httpx
from graphql import GraphQLSchema, print_schema

from schema.compose import SubgraphInput
from schema.config import ConfigError, SchemaSource, SupergraphConfig

__all__ = ["SourceError", "load_subgraphs", "module_sdl", "service_sdl"]

_SERVICE_QUERY = "query SubgraphIntrospectQuery { _service { sdl } }"


class SourceError(Exception):
    """A subgraph's SDL could not be obtained."""


def module_sdl(reference: str) -> str:
    """`package.module:attribute` -> the federation SDL of that Strawberry schema.

    The attribute may be the schema itself or a factory called without arguments."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise SourceError(f'module source "{reference}" must look like "package.module:attribute"')
    try:
        target: Any = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise SourceError(f'cannot import "{reference}": {error}') from error
    try:
        if callable(target) and not hasattr(target, "as_str"):
            target = target()
        if hasattr(target, "as_str"):
            # Strawberry's federation schema prints the same SDL its `_service { sdl }` serves.
            return str(target.as_str())
    except Exception as error:  # the subgraph's own code failed: report it as this source's failure
        raise SourceError(
            f'building or printing "{reference}" failed: {type(error).__name__}: {error}'
        ) from error
    if isinstance(target, GraphQLSchema):
        return print_schema(target)
    if isinstance(target, str):
        return target
    raise SourceError(f'"{reference}" is not a Strawberry schema, a GraphQLSchema or SDL text')


async def service_sdl(url: str, headers: dict[str, str] | None = None, request_timeout: float = 10.0) -> str:
    try:
        async with httpx.AsyncClient(timeout=request_timeout) as client:
            response = await client.post(url, json={"query": _SERVICE_QUERY}, headers=headers or {})
    except httpx.HTTPError as error:
        raise SourceError(f"cannot reach {url}: {error}") from error
    try:
        body = response.json()
    except ValueError as error:
        raise SourceError(f"{url} answered HTTP {response.status_code} without JSON") from error
    sdl = ((body.get("data") or {}).get("_service") or {}).get("sdl") if isinstance(body, dict) else None
    if not isinstance(sdl, str):
        errors = body.get("errors") if isinstance(body, dict) else None
        raise SourceError(
            f"{url} did not return _service.sdl (HTTP {response.status_code}, errors: {errors})"
        )
    return sdl


async def _load_one(name: str, source: SchemaSource, base_dir: Path) -> str:
    if source.sdl is not None:
        return source.sdl
    if source.file is not None:
        path = (base_dir / source.file).resolve()
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise SourceError(f"subgraph {name}: cannot read {path}: {error.strerror}") from error
    if source.subgraph_url is not None:
        return await service_sdl(source.subgraph_url, source.introspection_headers)
    assert source.module is not None
    return module_sdl(source.module)


async def load_subgraphs(config: SupergraphConfig) -> list[SubgraphInput]:
    """Every subgraph of `config` with its SDL (fetched concurrently), in config order."""
    names = list(config.subgraphs)
    try:
        sdls = await asyncio.gather(
            *(_load_one(name, config.subgraphs[name].schema_, config.base_dir) for name in names)
        )
    except ConfigError as error:
        raise SourceError(str(error)) from error
    return [
        SubgraphInput(name, config.subgraphs[name].routing_url, sdl)
        for name, sdl in zip(names, sdls, strict=True)
    ]
