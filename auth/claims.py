"""Verified token claims as seen by subgraphs and the router."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auth.roles import ROLE_ADMIN

__all__ = ["Claims"]


@dataclass(frozen=True, slots=True)
class Claims:
    """The identity carried by a verified access token.

    Only :class:`auth.tokens.TokenVerifier` should build these from untrusted input; tests and
    internal callers may build them directly.
    """

    subject: str
    roles: frozenset[str]
    scopes: frozenset[str]
    issued_at: int
    expires_at: int
    token_id: str
    session_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_all_scopes(self, scopes: Iterable[str]) -> bool:
        return self.scopes.issuperset(scopes)

    def satisfies(self, required: Iterable[Iterable[str]]) -> bool:
        """Apollo ``@requiresScopes(scopes: [[Scope!]!]!)`` semantics: any inner list fully held.

        The outer list is OR, each inner list is AND; an empty outer list requires nothing.
        """
        alternatives = [frozenset(group) for group in required]
        return not alternatives or any(self.scopes >= group for group in alternatives)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return ROLE_ADMIN in self.roles
