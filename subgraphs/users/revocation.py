"""Access-token revocation: logged-out / reused sessions and banned accounts.

Access tokens are stateless JWTs, so revoking one before it expires needs a record that is
checked on every verification: per session (``sid``) until the longest token lifetime has
passed, and per banned account until it is unbanned.
"""

from __future__ import annotations

from collections.abc import Iterable

from auth.claims import Claims
from subgraphs.common.kv import KeyValueStore

__all__ = ["Revocations"]


class Revocations:
    def __init__(self, kv: KeyValueStore, *, session_ttl_seconds: float) -> None:
        self._kv = kv
        self._session_ttl = session_ttl_seconds

    async def revoke_sessions(self, session_ids: Iterable[str]) -> None:
        for session_id in session_ids:
            await self._kv.set(f"revoked:sid:{session_id}", "1", ttl_seconds=self._session_ttl)

    async def ban(self, subject: str) -> None:
        await self._kv.set(f"revoked:sub:{subject}", "banned")

    async def unban(self, subject: str) -> None:
        await self._kv.delete(f"revoked:sub:{subject}")

    async def check(self, claims: Claims) -> str | None:
        """The reason these verified claims are refused, or None (a RevocationCheck)."""
        # One round trip per request: this runs on every authenticated call.
        banned, session = await self._kv.get_many(
            f"revoked:sub:{claims.subject}", f"revoked:sid:{claims.session_id or '-'}"
        )
        if banned is not None:
            return "account_banned"
        if claims.session_id and session is not None:
            return "session_revoked"
        return None
