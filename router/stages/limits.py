"""Structural request limits (issue 4): depth, aliases, root fields and total fields of the
selected operation, and its estimated cost (`limits.max_cost`, router/security/cost.py), checked
on the validated document before anything is planned.

Fragments are measured once each and counted at every spread, so a "fragment bomb" (fragments
spreading each other many times) is measured by what it expands to, in time linear in the
document. Measurements are cached by (document hash, operation name).
"""

from __future__ import annotations

import math
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from router.config import LimitsConfig
from router.pipeline import EngineLike, NextStage, Operation, operation_fragments
from router.security.cost import CostDirectives, CostEstimator
from router.stages.errors import request_error
from router.types import GraphQLResponse

__all__ = ["CostEstimates", "LimitsStage", "OperationShape", "measure_operation"]

_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class OperationShape:
    depth: int
    aliases: int
    root_fields: int
    fields: int


@dataclass(frozen=True, slots=True)
class _Measure:
    depth: int  # deepest field nesting below (and including) this selection set
    aliases: int  # aliased fields, fragments expanded
    fields: int  # fields at this level, fragments expanded
    total: int  # fields at this level and below, fragments expanded


class _Measurer:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._memo: dict[str, _Measure] = {}
        self._visiting: set[str] = set()

    def fragment(self, name: str) -> _Measure:
        known = self._memo.get(name)
        if known is not None:
            return known
        definition = self._fragments.get(name)
        if definition is None or name in self._visiting:
            # Unknown or cyclic spreads fail validation before this stage; count nothing.
            return _Measure(0, 0, 0, 0)
        self._visiting.add(name)
        measure = self.selection_set(definition.selection_set)
        self._visiting.discard(name)
        self._memo[name] = measure
        return measure

    def selection_set(self, selection_set: SelectionSetNode) -> _Measure:
        depth = aliases = fields = total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields += 1
                total += 1
                if selection.alias is not None:
                    aliases += 1
                below = self.selection_set(selection.selection_set) if selection.selection_set else None
                depth = max(depth, 1 + (below.depth if below else 0))
                aliases += below.aliases if below else 0
                total += below.total if below else 0
            else:
                if isinstance(selection, InlineFragmentNode):
                    inner = self.selection_set(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    inner = self.fragment(selection.name.value)
                else:  # pragma: no cover - the GraphQL grammar has no other selection
                    continue
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                fields += inner.fields
                total += inner.total
        return _Measure(depth, aliases, fields, total)


def measure_operation(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> OperationShape:
    measure = _Measurer(fragments).selection_set(operation.selection_set)
    return OperationShape(
        depth=measure.depth, aliases=measure.aliases, root_fields=measure.fields, fields=measure.total
    )


class CostEstimates:
    """Estimated costs of operations (router/security/cost.py) for `limits.max_cost` and the
    rate limiter's `cost: estimated`: one estimator per engine, since a hot reload brings its
    own schema and `@cost`/`@listSize` weights."""

    __slots__ = ("_default_list_size", "_estimators")

    def __init__(self, default_list_size: int) -> None:
        self._default_list_size = default_list_size
        self._estimators: weakref.WeakKeyDictionary[Any, CostEstimator] = weakref.WeakKeyDictionary()

    def _estimator(self, engine: EngineLike) -> CostEstimator:
        estimator = self._estimators.get(engine)
        if estimator is None:
            sdl = getattr(getattr(engine, "supergraph", None), "sdl", None)
            directives = CostDirectives.from_sdl(sdl) if isinstance(sdl, str) else CostDirectives()
            estimator = CostEstimator(engine.api_schema, directives, default_list_size=self._default_list_size)
            self._estimators[engine] = estimator
        return estimator

    def of(self, operation: Operation) -> float:
        """The prepared operation's estimated cost; infinite when nested beyond Python's stack."""
        prepared = operation.prepared
        assert prepared is not None, "costs are estimated after analysis"
        estimator = self._estimator(operation.engine)
        try:
            return estimator.estimate(prepared.operation, operation_fragments(prepared), operation.request.variables)
        except RecursionError:
            return math.inf


class LimitsStage:
    __slots__ = ("_cache", "_config", "_costs")

    def __init__(self, config: LimitsConfig) -> None:
        self._config = config
        self._cache: OrderedDict[tuple[str, str | None], OperationShape | None] = OrderedDict()
        self._costs = CostEstimates(config.default_list_size)

    def _too_expensive(self, operation: Operation, limit: float) -> GraphQLResponse | None:
        cost = self._costs.of(operation)
        if cost <= limit:
            return None
        shown = "too high to compute" if cost == math.inf else f"{cost:g}"
        return request_error(
            f"The operation's estimated cost is {shown}; the limit is {limit:g}",
            "COST_ESTIMATED_TOO_EXPENSIVE",
        )

    def _shape(self, operation: Operation) -> OperationShape | None:
        prepared = operation.prepared
        assert prepared is not None, "the limits stage runs after analysis"
        key = (prepared.document_hash, prepared.operation_name)
        if key in self._cache:
            return self._cache[key]
        shape: OperationShape | None
        try:
            shape = measure_operation(prepared.operation, operation_fragments(prepared))
        except RecursionError:
            shape = None  # nested beyond Python's stack: certainly beyond any sane depth limit
        self._cache[key] = shape
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return shape

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        config = self._config
        if (
            config.max_depth is None
            and config.max_aliases is None
            and config.max_root_fields is None
            and config.max_fields is None
            and config.max_cost is None
        ):
            return await call_next(operation)
        shape = self._shape(operation)
        if shape is None:
            return request_error("The operation is nested too deeply to be analysed", "MAX_DEPTH_LIMIT")
        if config.max_depth is not None and shape.depth > config.max_depth:
            return request_error(
                f"The operation is nested {shape.depth} levels deep; the limit is {config.max_depth}",
                "MAX_DEPTH_LIMIT",
            )
        if config.max_aliases is not None and shape.aliases > config.max_aliases:
            return request_error(
                f"The operation uses {shape.aliases} aliases; the limit is {config.max_aliases}",
                "MAX_ALIASES_LIMIT",
            )
        if config.max_root_fields is not None and shape.root_fields > config.max_root_fields:
            return request_error(
                f"The operation selects {shape.root_fields} root fields; the limit is {config.max_root_fields}",
                "MAX_ROOT_FIELDS_LIMIT",
            )
        if config.max_fields is not None and shape.fields > config.max_fields:
            return request_error(
                f"The operation selects {shape.fields} fields once its fragments are expanded; "
                f"the limit is {config.max_fields}",
                "MAX_FIELDS_LIMIT",
            )
        # Last: the structural limits above bound the work of estimating.
        if config.max_cost is not None:
            refused = self._too_expensive(operation, config.max_cost)
            if refused is not None:
                return refused
        return await call_next(operation)
