"""Running the fetch nodes of a QueryPlan against the subgraphs (FEDERATION.md §3).

`compile_fetches` pre-serializes every Fetch once per cached plan, so a request only encodes
its variables. `PlanRun` walks Sequence / Parallel / Condition / Flatten / Fetch, merging each
result into one shared response tree and collecting errors with client paths.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import FieldNode, OperationDefinitionNode, parse

from router.executor.errors import error, relay_subgraph_error
from router.executor.paths import PathLink, TypeMatcher, collect_linked, deep_merge, link_path
from router.executor.representations import (
    FieldTypeInfo,
    FlatRequires,
    apply_rewrites,
    build_flat_representation,
    build_representation,
    flatten_requires,
)
from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PathElement,
    PlanNode,
    SequenceNode,
)
from router.subgraph_client import SubgraphClient, SubgraphFailure

__all__ = ["FetchContext", "PlanRun", "PreparedFetch", "compile_fetches"]

_log = logging.getLogger("router.executor")


@dataclass(slots=True, frozen=True)
class PreparedFetch:
    node: FetchNode
    url: str | None
    timeout: float
    body_prefix: bytes
    # Top-level response keys of a root fetch: where errors go when the whole fetch fails.
    root_keys: tuple[str, ...]
    flat_requires: FlatRequires | None = None


@dataclass(slots=True, frozen=True)
class FetchContext:
    """Per-Executor state shared by every run."""

    client: SubgraphClient
    matches: TypeMatcher
    field_info: FieldTypeInfo
    object_types: frozenset[str] = frozenset()
    redact_subgraph_errors: bool = False


def compile_fetches(
    node: PlanNode | None,
    urls: Mapping[str, str],
    timeouts: Mapping[str, float],
    default_timeout: float,
    out: dict[int, PreparedFetch],
) -> None:
    """Fill `out` (keyed by id() of each FetchNode of the plan, which the caller keeps alive)."""
    if node is None:
        return
    if isinstance(node, FetchNode):
        out[id(node)] = _prepare(node, urls, timeouts, default_timeout)
    elif isinstance(node, FlattenNode):
        compile_fetches(node.node, urls, timeouts, default_timeout, out)
    elif isinstance(node, SequenceNode | ParallelNode):
        for child in node.nodes:
            compile_fetches(child, urls, timeouts, default_timeout, out)
    elif isinstance(node, ConditionNode):
        compile_fetches(node.if_clause, urls, timeouts, default_timeout, out)
        compile_fetches(node.else_clause, urls, timeouts, default_timeout, out)


def _prepare(
    node: FetchNode, urls: Mapping[str, str], timeouts: Mapping[str, float], default_timeout: float
) -> PreparedFetch:
    prefix = b'{"query":' + orjson.dumps(node.operation)
    if node.operation_name:
        prefix += b',"operationName":' + orjson.dumps(node.operation_name)
    prefix += b',"variables":'
    root_keys: tuple[str, ...] = ()
    if node.requires is None:
        root_keys = _root_response_keys(node.operation)
    url = urls.get(node.subgraph)
    if url is None:
        lowered = {name.lower(): value for name, value in urls.items()}
        url = lowered.get(node.subgraph.lower())
    return PreparedFetch(
        node=node,
        url=url,
        timeout=timeouts.get(node.subgraph, default_timeout),
        body_prefix=prefix,
        root_keys=root_keys,
        flat_requires=flatten_requires(node.requires) if node.requires is not None else None,
    )


def _root_response_keys(operation: str) -> tuple[str, ...]:
    try:
        document = parse(operation, no_location=True)
    except Exception:  # the subgraph will report it; no paths to blame locally
        return ()
    keys: list[str] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    if key != "__typename" and key not in keys:
                        keys.append(key)
    return tuple(keys)


class PlanRun:
    """One execution of a plan: the merged data tree and the errors gathered so far."""

    __slots__ = ("_ctx", "_fetches", "_headers", "_variables", "data", "errors")

    def __init__(
        self,
        ctx: FetchContext,
        fetches: Mapping[int, PreparedFetch],
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
    ) -> None:
        self._ctx = ctx
        self._fetches = fetches
        self._variables = variables
        self._headers = headers
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []

    async def run(self, node: PlanNode | None) -> None:
        if node is None:
            return
        if isinstance(node, FetchNode):
            await self._fetch(node, ())
        elif isinstance(node, FlattenNode):
            await self._fetch(node.node, node.path)
        elif isinstance(node, SequenceNode):
            for child in node.nodes:
                await self.run(child)
        elif isinstance(node, ParallelNode):
            if len(node.nodes) == 1:
                await self.run(node.nodes[0])
            else:
                await asyncio.gather(*(self.run(child) for child in node.nodes))
        elif isinstance(node, ConditionNode):
            name = node.condition.lstrip("$")
            branch = node.if_clause if self._variables.get(name) is True else node.else_clause
            await self.run(branch)

    async def _fetch(self, node: FetchNode, path: tuple[PathElement, ...]) -> None:
        prepared = self._fetches[id(node)]
        if node.requires is None:
            await self._root_fetch(prepared, path)
        else:
            await self._entity_fetch(prepared, path)

    def _operation_variables(self, node: FetchNode) -> dict[str, Any]:
        variables = self._variables
        return {name: variables[name] for name in node.variable_usages if name in variables}

    async def _send(self, prepared: PreparedFetch, variables: dict[str, Any]) -> dict[str, Any]:
        node = prepared.node
        if prepared.url is None:
            raise SubgraphFailure(node.subgraph, "no URL is configured for this subgraph")
        body = prepared.body_prefix + orjson.dumps(variables) + b"}"
        return await self._ctx.client.fetch(
            node.subgraph,
            prepared.url,
            body,
            headers=self._headers,
            timeout_seconds=prepared.timeout,
            dedupe=node.operation_kind == "query",
        )

    async def _root_fetch(self, prepared: PreparedFetch, path: tuple[PathElement, ...]) -> None:
        node = prepared.node
        try:
            response = await self._send(prepared, self._operation_variables(node))
        except SubgraphFailure as exc:
            _log.warning("subgraph fetch failed: %s", exc)
            self._fail_root(prepared, exc.code, str(exc))
            return
        except Exception:
            _log.exception("subgraph fetch to %s failed unexpectedly", node.subgraph)
            self._fail_root(prepared, "SUBREQUEST_HTTP_ERROR", f"HTTP fetch failed from '{node.subgraph}'")
            return
        data = response.get("data")
        if isinstance(data, dict):
            if node.output_rewrites:
                apply_rewrites(data, node.output_rewrites, self._ctx.matches)
            deep_merge(self.data, data)
        for raw in _errors_of(response):
            raw_path = raw.get("path") if isinstance(raw, dict) else None
            client_path = list(raw_path) if isinstance(raw_path, list) and raw_path else None
            self.errors.append(
                relay_subgraph_error(raw, client_path, node.subgraph, redact=self._ctx.redact_subgraph_errors)
            )

    def _fail_root(self, prepared: PreparedFetch, code: str, message: str) -> None:
        service = prepared.node.subgraph
        if not prepared.root_keys:
            self.errors.append(error(message, code=code, service=service))
        for key in prepared.root_keys:
            self.errors.append(error(message, code=code, path=[key], service=service))

    async def _entity_fetch(self, prepared: PreparedFetch, path: tuple[PathElement, ...]) -> None:
        node = prepared.node
        ctx = self._ctx
        assert node.requires is not None
        representations: list[dict[str, Any]] = []
        # Per representation, the objects it stands for and their paths (linked: a list is
        # built only if an error needs the path).
        origins: list[list[tuple[dict[str, Any], PathLink]]] = []
        seen: dict[bytes, int] = {}
        flat = prepared.flat_requires
        requires = node.requires
        input_rewrites = node.input_rewrites
        matches = ctx.matches
        field_info = ctx.field_info
        dumps = orjson.dumps
        objects, links = collect_linked(self.data, path, matches)
        for obj, link in zip(objects, links, strict=True):
            if flat is not None:
                representation = build_flat_representation(obj, flat, matches, field_info)
            else:
                representation = build_representation(obj, requires, matches, field_info)
            if representation is None:
                continue
            if input_rewrites:
                apply_rewrites(representation, input_rewrites, matches)
            fingerprint = dumps(representation)
            index = seen.get(fingerprint)
            if index is None:
                seen[fingerprint] = len(representations)
                representations.append(representation)
                origins.append([(obj, link)])
            else:
                origins[index].append((obj, link))
        if not representations:
            return
        variables = self._operation_variables(node)
        variables["representations"] = representations
        try:
            response = await self._send(prepared, variables)
        except SubgraphFailure as exc:
            _log.warning("entity fetch failed: %s", exc)
            self._fail_entities(origins, exc.code, str(exc), node.subgraph)
            return
        except Exception:
            _log.exception("entity fetch to %s failed unexpectedly", node.subgraph)
            message = f"HTTP fetch failed from '{node.subgraph}'"
            self._fail_entities(origins, "SUBREQUEST_HTTP_ERROR", message, node.subgraph)
            return
        data = response.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        if isinstance(entities, list):
            if len(entities) != len(representations):
                message = f"Subgraph '{node.subgraph}' returned {len(entities)} entities for {len(representations)} representations"
                self._fail_entities(origins, "SUBREQUEST_MALFORMED_RESPONSE", message, node.subgraph)
                return
            for index, entity in enumerate(entities):
                if not isinstance(entity, dict):
                    continue
                if node.output_rewrites:
                    apply_rewrites(entity, node.output_rewrites, ctx.matches)
                incoming_type = entity.get("__typename")
                for obj, _ in origins[index]:
                    current_type = obj.get("__typename")
                    if (
                        incoming_type is not None
                        and current_type is not None
                        and incoming_type != current_type
                        and incoming_type not in ctx.object_types
                    ):
                        # An @interfaceObject graph answers with the interface's name: keep the
                        # concrete type the object already has.
                        deep_merge(obj, {k: v for k, v in entity.items() if k != "__typename"})
                    else:
                        deep_merge(obj, entity)
        for raw in _errors_of(response):
            self._relay_entity_error(raw, origins, node.subgraph)

    def _relay_entity_error(
        self, raw: Any, origins: list[list[tuple[dict[str, Any], PathLink]]], subgraph: str
    ) -> None:
        redact = self._ctx.redact_subgraph_errors
        raw_path = raw.get("path") if isinstance(raw, dict) else None
        if (
            isinstance(raw_path, list)
            and len(raw_path) >= 2
            and raw_path[0] == "_entities"
            and isinstance(raw_path[1], int)
            and 0 <= raw_path[1] < len(origins)
        ):
            rest = raw_path[2:]
            for _, origin_link in origins[raw_path[1]]:
                client_path = [*link_path(origin_link), *rest]
                self.errors.append(relay_subgraph_error(raw, client_path, subgraph, redact=redact))
            return
        self.errors.append(relay_subgraph_error(raw, None, subgraph, redact=redact))

    def _fail_entities(
        self,
        origins: list[list[tuple[dict[str, Any], PathLink]]],
        code: str,
        message: str,
        subgraph: str,
    ) -> None:
        for group in origins:
            for _, origin_link in group:
                self.errors.append(error(message, code=code, path=link_path(origin_link), service=subgraph))


def _errors_of(response: dict[str, Any]) -> list[Any]:
    errors = response.get("errors")
    return errors if isinstance(errors, list) else []
