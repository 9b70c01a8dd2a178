"""Introspection policy: with `introspection: false` (the default) an operation selecting
`__schema` or `__type` is refused before planning, except for a caller whose verified token
carries the admin role (issue 4: admins may always introspect). `__typename` is not
introspection and is always allowed. Only query roots can hold these fields (GraphQL spec §4.1), so only the root
selection (fragments expanded) is inspected; the verdict is cached per document and operation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from router.pipeline import NextStage, Operation, operation_fragments
from router.security.authn import request_claims
from router.stages.errors import request_error
from router.types import GraphQLResponse

__all__ = ["IntrospectionStage", "selects_introspection"]

_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
_CACHE_SIZE = 4096


def selects_introspection(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    pending = [selection_set]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                if selection.name.value in _INTROSPECTION_FIELDS:
                    return True
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)
    return False


class IntrospectionStage:
    """Present in the pipeline only when introspection is disabled."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, str | None], bool] = OrderedDict()

    def _is_introspection(self, operation: Operation) -> bool:
        prepared = operation.prepared
        assert prepared is not None, "the introspection stage runs after analysis"
        key = (prepared.document_hash, prepared.operation_name)
        verdict = self._cache.get(key)
        if verdict is None:
            verdict = selects_introspection(prepared.operation.selection_set, operation_fragments(prepared))
            self._cache[key] = verdict
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return verdict

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        if self._is_introspection(operation):
            claims = request_claims(operation.context)
            if claims is not None and claims.is_admin:
                return await call_next(operation)
            return request_error(
                "Introspection is disabled on this router (set `introspection: true` in router.yaml)",
                "INTROSPECTION_DISABLED",
            )
        return await call_next(operation)
