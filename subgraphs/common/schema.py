"""Builds a subgraph's Strawberry federation schema with the shared extensions (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.types import ExecutionContext

from subgraphs.common.context import RejectInvalidToken
from subgraphs.common.errors import MaskInternalErrors

__all__ = ["SubgraphSchema", "build_schema"]

# The router sends a small set of query shapes; cache them all (bounded against abuse).
_CACHE_SIZE = 1024


class _ParserCache(ParserCache):
    """ParserCache that gives syntax errors their code.

    A syntax error raised by ParserCache aborts the extension hooks before MaskInternalErrors
    can see it, so it is annotated where it is raised.
    """

    def on_parse(self) -> Iterator[None]:
        try:
            yield from super().on_parse()
        except GraphQLError as error:
            MaskInternalErrors.annotate(error)
            raise


class SubgraphSchema(strawberry.federation.Schema):
    """Federation schema that does not log client errors (MaskInternalErrors logs real ones)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(
    *,
    query: type,
    mutation: type | None = None,
    types: Iterable[type] = (),
    mask_errors: bool = True,
    federation_version: Literal["2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11"] = "2.7",
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
    **kwargs: Any,
) -> SubgraphSchema:
    """A Federation 2 ``strawberry.federation.Schema`` plus the shared extensions."""
    return SubgraphSchema(
        query=query,
        mutation=mutation,
        types=list(types),
        # Federation 2 (this Strawberry always emits v2); 2.7 brings @authenticated and
        # @requiresScopes while staying within what common composition tools accept.
        federation_version=federation_version,
        extensions=[
            lambda: MaskInternalErrors(enabled=mask_errors),
            lambda: _ParserCache(maxsize=_CACHE_SIZE),
            lambda: ValidationCache(maxsize=_CACHE_SIZE),
            RejectInvalidToken,
            *extensions,
        ],
        **kwargs,
    )
