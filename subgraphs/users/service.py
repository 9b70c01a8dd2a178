"""Account operations of the users subgraph (GraphQL-agnostic; raises FitGraph errors)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import structlog

from auth.claims import Claims
from auth.passwords import MAX_PASSWORD_LENGTH, PasswordHasher
from auth.refresh import (
    family_id_of,
    hash_opaque_token,
    hash_refresh_token,
    new_opaque_token,
    new_refresh_token,
)
from auth.roles import ROLE_ADMIN, ROLE_USER
from auth.tokens import TokenIssuer
from subgraphs.common.errors import BadUserInput, Conflict, Forbidden, NotFound, Unauthenticated
from subgraphs.users.reset import ResetMessage, ResetSender
from subgraphs.users.revocation import Revocations
from subgraphs.users.store import EmailTaken, UserRecord, UserStore, utcnow
from subgraphs.users.throttle import LoginThrottle, RequestLimiter
from subgraphs.users.validation import (
    normalize_email,
    validate_display_name,
    validate_email,
    validate_password,
)

__all__ = ["AuthResult", "UsersService"]

_log = structlog.get_logger("fitgraph.users")

_BAD_CREDENTIALS = "Invalid e-mail or password"


@dataclass(frozen=True, slots=True)
class AuthResult:
    access_token: str
    refresh_token: str
    user: UserRecord


class UsersService:
    def __init__(
        self,
        *,
        store: UserStore,
        issuer: TokenIssuer,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        reset_limiter: RequestLimiter,
        revocations: Revocations,
        reset_sender: ResetSender,
        refresh_ttl_seconds: int,
        refresh_family_max_age_seconds: int,
        reset_ttl_seconds: int,
    ) -> None:
        self.store = store
        self.issuer = issuer
        self.hasher = hasher
        self.throttle = throttle
        self.reset_limiter = reset_limiter
        self.revocations = revocations
        self.reset_sender = reset_sender
        self._refresh_ttl = refresh_ttl_seconds
        self._family_max_age = refresh_family_max_age_seconds
        self._reset_ttl = reset_ttl_seconds
        # Verified when the e-mail is unknown, so "no such account" costs as much as a bad
        # password and response times do not reveal which e-mails are registered.
        self._dummy_hash = hasher.hash(uuid.uuid4().hex)

    # ---- helpers -----------------------------------------------------------------------

    async def _hash(self, password: str) -> str:
        # Argon2 is deliberately slow: keep it off the event loop.
        return await asyncio.to_thread(self.hasher.hash, password)

    async def _verify(self, stored_hash: str, password: str) -> tuple[bool, str | None]:
        return await asyncio.to_thread(self.hasher.verify_and_update, stored_hash, password)

    async def _user(self, user_id: uuid.UUID) -> UserRecord:
        found = await self.store.users_by_ids(ids=[user_id])
        if not found:
            raise NotFound("User not found")
        return found[0]

    async def _start_session(self, user: UserRecord) -> AuthResult:
        refresh_token, refresh_hash = new_refresh_token()
        family = family_id_of(refresh_token)
        assert family is not None
        await self.store.add_refresh_token(
            token_hash=refresh_hash, user_id=user.id, family_id=uuid.UUID(family), ttl_seconds=self._refresh_ttl
        )
        return AuthResult(self._access_token(user, family), refresh_token, user)

    def _access_token(self, user: UserRecord, session_id: str) -> str:
        return self.issuer.issue(
            str(user.id), roles=user.roles, session_id=session_id, extra={"region": user.region}
        )

    async def _end_sessions(self, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> None:
        families = await self.store.revoke_user_families(user_id=user_id, keep_family=keep)
        await self.revocations.revoke_sessions(family.hex for family in families)

    # ---- registration and sessions -----------------------------------------------------

    async def register(self, *, email: str, password: str, display_name: str, region: str) -> AuthResult:
        email = validate_email(email)
        validate_password(password)
        display_name = validate_display_name(display_name)
        now = utcnow()
        user = UserRecord(
            id=uuid.uuid4(),
            region=region,
            email=email,
            display_name=display_name,
            password_hash=await self._hash(password),
            roles=(ROLE_USER,),
            units="METRIC",
            timezone="UTC",
            birth_year=None,
            height_cm=None,
            weight_kg=None,
            status="ACTIVE",
            created_at=now,
            updated_at=now,
        )
        try:
            await self.store.create_user(record=user, email_normalized=normalize_email(email))
        except EmailTaken as error:
            raise Conflict("An account with this e-mail already exists", field="email") from error
        _log.info("user_registered", user_id=str(user.id), region=region)
        return await self._start_session(user)

    async def login(self, *, email: str, password: str, address: str | None) -> AuthResult:
        account = normalize_email(validate_email(email))
        if not password or len(password) > MAX_PASSWORD_LENGTH:
            raise BadUserInput("Enter your password", field="password")
        await self.throttle.check(account=account, address=address)
        user = await self.store.user_by_email(email_normalized=account)
        ok, new_hash = await self._verify(user.password_hash if user else self._dummy_hash, password)
        if user is None or not ok:
            await self.throttle.record_failure(account=account, address=address)
            raise Unauthenticated(_BAD_CREDENTIALS, reason="invalid_credentials")
        await self.throttle.record_success(account=account)
        if user.status == "BANNED":
            raise Forbidden("This account is banned", reason="account_banned")
        if new_hash is not None:
            user = await self.store.update_user(user_id=user.id, region=user.region, changes={"password_hash": new_hash}) or user
        return await self._start_session(user)

    async def refresh(self, *, refresh_token: str) -> AuthResult:
        family = family_id_of(refresh_token)
        if family is None:
            raise Unauthenticated("Invalid refresh token", reason="invalid_refresh_token")
        successor, successor_hash = new_refresh_token(family)
        outcome = await self.store.rotate_refresh_token(
            token_hash=hash_refresh_token(refresh_token),
            new_token_hash=successor_hash,
            ttl_seconds=self._refresh_ttl,
            family_max_age_seconds=self._family_max_age,
        )
        if outcome.status == "reused":
            # RFC 9700 §4.14.2: a spent token presented again means it leaked; end the session.
            assert outcome.family_id is not None
            await self.store.revoke_family(family_id=outcome.family_id)
            await self.revocations.revoke_sessions([outcome.family_id.hex])
            _log.warning("refresh_token_reuse", user_id=str(outcome.user_id), family=outcome.family_id.hex)
            raise Unauthenticated("Refresh token reuse detected; the session was revoked", reason="refresh_token_reused")
        if outcome.status != "ok" or outcome.user_id is None:
            raise Unauthenticated("Invalid refresh token", reason=f"refresh_token_{outcome.status}")
        found = await self.store.users_by_ids(ids=[outcome.user_id])
        if not found or found[0].status == "BANNED":
            await self.store.revoke_family(family_id=uuid.UUID(family))
            raise Unauthenticated("This account can no longer sign in", reason="account_banned")
        return AuthResult(self._access_token(found[0], family), successor, found[0])

    async def logout(self, *, claims: Claims) -> None:
        if claims.session_id is None:
            return
        try:
            family = uuid.UUID(claims.session_id)
        except ValueError:
            return
        await self.store.revoke_family(family_id=family)
        await self.revocations.revoke_sessions([claims.session_id])

    # ---- profile and password ----------------------------------------------------------

    async def update_profile(self, *, user_id: uuid.UUID, changes: dict[str, Any]) -> UserRecord:
        user = await self._user(user_id)
        if not changes:
            return user
        updated = await self.store.update_user(user_id=user.id, region=user.region, changes=changes)
        if updated is None:
            raise NotFound("User not found")
        return updated

    async def change_password(self, *, claims: Claims, current_password: str, new_password: str) -> None:
        validate_password(new_password, field="newPassword")
        user = await self._user(uuid.UUID(claims.subject))
        ok, _ = await self._verify(user.password_hash, current_password)
        if not ok:
            raise BadUserInput("Current password is incorrect", field="currentPassword")
        await self.store.update_user(
            user_id=user.id, region=user.region, changes={"password_hash": await self._hash(new_password)}
        )
        keep = uuid.UUID(claims.session_id) if claims.session_id else None
        await self._end_sessions(user.id, keep=keep)

    async def request_password_reset(self, *, email: str) -> None:
        account = normalize_email(validate_email(email))
        user = await self.store.user_by_email(email_normalized=account)
        if user is None or user.status == "BANNED":
            return  # same answer either way: the response must not reveal who has an account
        if not await self.reset_limiter.allow(account):
            # Silently: a mailbox must not be floodable, and the answer must not differ.
            _log.warning("password_reset_rate_limited", user_id=str(user.id))
            return
        token, token_hash = new_opaque_token()
        await self.store.add_password_reset(token_hash=token_hash, user_id=user.id, ttl_seconds=self._reset_ttl)
        await self.reset_sender.send(ResetMessage(user_id=user.id, email=user.email, token=token))

    async def reset_password(self, *, token: str, new_password: str) -> None:
        validate_password(new_password, field="newPassword")
        user_id = await self.store.consume_password_reset(token_hash=hash_opaque_token(token))
        if user_id is None:
            raise BadUserInput("The reset link is invalid or has expired", field="token")
        user = await self._user(user_id)
        await self.store.update_user(
            user_id=user.id, region=user.region, changes={"password_hash": await self._hash(new_password)}
        )
        await self._end_sessions(user.id)

    # ---- administration ----------------------------------------------------------------

    async def set_roles(self, *, admin: Claims, user_id: uuid.UUID, roles: list[str]) -> UserRecord:
        if not roles:
            raise BadUserInput("A user needs at least one role", field="roles")
        if str(user_id) == admin.subject and ROLE_ADMIN not in roles:
            raise BadUserInput("You cannot remove your own admin role", field="roles")
        user = await self._user(user_id)
        # Takes effect with the next access token (at the latest after one refresh).
        return await self.update_profile(user_id=user.id, changes={"roles": sorted(set(roles))})

    async def set_banned(self, *, admin: Claims, user_id: uuid.UUID, banned: bool) -> UserRecord:
        if str(user_id) == admin.subject:
            raise BadUserInput("You cannot ban yourself", field="userId")
        user = await self._user(user_id)
        updated = await self.update_profile(user_id=user.id, changes={"status": "BANNED" if banned else "ACTIVE"})
        if banned:
            await self.revocations.ban(str(user.id))
            await self._end_sessions(user.id)
        else:
            await self.revocations.unban(str(user.id))
        _log.info("user_ban_changed", user_id=str(user.id), banned=banned, admin=admin.subject)
        return updated
