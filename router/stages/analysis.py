"""Analysis: bound the token count, then parse + validate against the API schema (Engine.prepare,
cached by query text) and select the operation.

The token bound runs before the parser so a huge document is refused after cheap lexing,
not after building its AST; texts already accepted skip it (the hot path is a dict lookup).
GraphQL-over-HTTP §GET: a mutation sent by GET is refused with 405 (only POST may mutate).
Validation's "Did you mean …?" suggestions reveal schema elements to a client that may not
introspect, so (as Apollo Router does) they are removed unless introspection is on.
"""

from __future__ import annotations

import dataclasses
import re
from collections import OrderedDict

from graphql import GraphQLSyntaxError, Source, TokenKind
from graphql.language.lexer import Lexer

from router.pipeline import NextStage, Operation
from router.stages.errors import request_error
from router.types import GraphQLResponse

__all__ = ["AnalysisStage", "count_tokens"]

_ACCEPTED_TEXTS = 4096
# Longer texts are re-lexed each time rather than kept: the cache must stay small in memory.
_CACHEABLE_LENGTH = 16 * 1024
# graphql-core appends suggestions to validation messages as " Did you mean 'x' or 'y'?".
_SUGGESTION = re.compile(r" Did you mean .*\?$")


def _without_suggestions(response: GraphQLResponse) -> GraphQLResponse:
    errors = response.body.get("errors")
    if not errors:
        return response
    cleaned = []
    for error in errors:
        message = error.get("message")
        if isinstance(message, str) and _SUGGESTION.search(message):
            error = {**error, "message": _SUGGESTION.sub("", message)}
        cleaned.append(error)
    # A new response: the Engine may cache and share the one it returned.
    return dataclasses.replace(response, body={**response.body, "errors": cleaned}, encoded=None)


def count_tokens(query: str, stop_after: int) -> int:
    """Lexical tokens of `query` (comments excluded), counting at most `stop_after + 1`.

    A syntax error stops the count: the parser reports it properly right after."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > stop_after:
                break
    except GraphQLSyntaxError:
        pass
    return count


class AnalysisStage:
    __slots__ = ("_accepted", "_field_suggestions", "_max_tokens")

    def __init__(self, *, max_tokens: int | None, field_suggestions: bool = True) -> None:
        self._max_tokens = max_tokens
        self._field_suggestions = field_suggestions
        self._accepted: OrderedDict[str, None] = OrderedDict()

    def _within_token_limit(self, query: str) -> bool:
        limit = self._max_tokens
        if limit is None or query in self._accepted:
            return True
        if count_tokens(query, limit) > limit:
            return False
        if len(query) > _CACHEABLE_LENGTH:
            return True
        self._accepted[query] = None
        if len(self._accepted) > _ACCEPTED_TEXTS:
            self._accepted.popitem(last=False)
        return True

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        request = operation.request
        if request.query is None:
            return request_error("The request has no GraphQL query", "BAD_REQUEST", status=400)
        if not self._within_token_limit(request.query):
            return request_error(
                f"The query has more than {self._max_tokens} tokens, the limit of this router",
                "MAX_TOKENS_LIMIT",
            )
        prepared = operation.engine.prepare(request)
        if isinstance(prepared, GraphQLResponse):
            return prepared if self._field_suggestions else _without_suggestions(prepared)
        if operation.http_method == "GET" and prepared.operation_type != "query":
            return request_error(
                f"A {prepared.operation_type} cannot be sent with GET; use POST",
                "METHOD_NOT_ALLOWED",
                status=405,
                headers={"allow": "POST"},
            )
        operation.prepared = prepared
        return await call_next(operation)
