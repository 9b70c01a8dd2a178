"""The router's tiny shared types: what flows between the pipeline stages of DESIGN §2."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["GraphQLRequest", "GraphQLResponse", "RequestContext"]


@dataclass(slots=True)
class GraphQLRequest:
    """One GraphQL operation as a client sent it (one element of a batch)."""

    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None


@dataclass(slots=True)
class GraphQLResponse:
    """A GraphQL response body plus how the transport should treat it.

    `is_request_error` marks a response produced before execution started (parse, validation,
    variable coercion, refused request): per GraphQL-over-HTTP it has no `data` entry and,
    under `application/graphql-response+json`, a 4xx status.

    `body` may be shared by several responses (in-flight deduplication): stages never change
    it in place, they build a new response. `encoded`, when set, is `body` already serialised
    as JSON; a new body means a new response without it.
    """

    body: dict[str, Any]
    is_request_error: bool = False
    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    encoded: bytes | None = None


@dataclass(slots=True)
class RequestContext:
    """Data shared between stages for one HTTP request; never global."""

    request_id: str
    client_headers: dict[str, str] = field(default_factory=dict)
    client_address: str | None = None
    bearer_token: str | None = None
    claims: dict[str, Any] | None = None
    subgraph_headers: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
