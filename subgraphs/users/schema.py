"""Query and Mutation of the users subgraph and its federation schema."""

from __future__ import annotations

import math
import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from auth.roles import ADMIN_USERS, PROFILE_WRITE
from subgraphs.common.context import RequestContext, require_auth, require_scope
from subgraphs.common.errors import BadUserInput
from subgraphs.common.schema import SubgraphSchema, build_schema
from subgraphs.users.cursors import decode_cursor, encode_cursor
from subgraphs.users.service import AuthResult, UsersService
from subgraphs.users.store import UserFilter as StoreFilter
from subgraphs.users.types import (
    ADMIN_ONLY,
    AUTHENTICATED,
    AuthPayload,
    PageInfo,
    Region,
    Role,
    Units,
    User,
    UserConnection,
    UserEdge,
    UserStatus,
    loaders_of,
)
from subgraphs.users.validation import (
    parse_user_id,
    validate_birth_year,
    validate_display_name,
    validate_height,
    validate_timezone,
    validate_weight,
)

__all__ = ["Mutation", "Query", "create_schema"]

MAX_PAGE_SIZE = 100


def _service(info: Info[Any, Any]) -> UsersService:
    context = info.context
    assert isinstance(context, RequestContext)
    service = context.services
    assert isinstance(service, UsersService)
    return service


def _payload(info: Info[Any, Any], result: AuthResult) -> AuthPayload:
    loaders_of(info).user_by_id.prime(result.user.id, result.user, force=True)
    return AuthPayload(
        access_token=result.access_token, refresh_token=result.refresh_token, user=User.from_record(result.user, owner_view=True)
    )


async def _user_or_none(info: Info[Any, Any], user_id: uuid.UUID) -> User | None:
    record = await loaders_of(info).user_by_id.load(user_id)
    return None if record is None else User.from_record(record)


@strawberry.input
class RegisterInput:
    email: str
    password: str
    display_name: str
    region: Region


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class UpdateProfileInput:
    display_name: str | None = None
    units: Units | None = None
    timezone: str | None = None
    birth_year: int | None = None
    height_cm: float | None = None
    weight_kg: float | None = None


@strawberry.input
class UserFilter:
    regions: list[Region] | None = None
    status: UserStatus | None = None
    role: Role | None = None
    email_contains: str | None = None


def _profile_changes(data: UpdateProfileInput) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if data.display_name is not None:
        changes["display_name"] = validate_display_name(data.display_name)
    if data.units is not None:
        changes["units"] = data.units.value
    if data.timezone is not None:
        changes["timezone"] = validate_timezone(data.timezone)
    if data.birth_year is not None:
        changes["birth_year"] = validate_birth_year(data.birth_year)
    for name, field, check in (
        ("height_cm", "heightCm", validate_height),
        ("weight_kg", "weightKg", validate_weight),
    ):
        value = getattr(data, name)
        if value is not None:
            if not math.isfinite(value):
                raise BadUserInput("Must be a finite number", field=field)
            changes[name] = check(value)
    return changes


@strawberry.type
class Query:
    @strawberry.field(directives=AUTHENTICATED, description="The signed-in account.")
    async def me(self, info: Info[Any, Any]) -> User | None:
        claims = require_auth(info)
        return await _user_or_none(info, uuid.UUID(claims.subject))

    @strawberry.field(directives=AUTHENTICATED)
    async def user(self, info: Info[Any, Any], id: strawberry.ID) -> User | None:
        require_auth(info)
        return await _user_or_none(info, parse_user_id(id))

    @strawberry.field(directives=ADMIN_ONLY, description="Admin only; ordered by creation time.")
    async def users(
        self,
        info: Info[Any, Any],
        filter: UserFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> UserConnection:
        require_scope(info, ADMIN_USERS)
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
        key = decode_cursor(after) if after else None
        wanted = filter or UserFilter()
        if wanted.email_contains is not None and len(wanted.email_contains) > 320:
            raise BadUserInput("Search text is too long", field="filter.emailContains")
        records = await _service(info).store.list_users(
            filter=StoreFilter(
                regions=tuple(r.value for r in wanted.regions) if wanted.regions else None,
                status=wanted.status.value if wanted.status else None,
                role=wanted.role.value if wanted.role else None,
                email_contains=wanted.email_contains or None,
            ),
            first=first + 1,
            after=key,
        )
        page = records[:first]
        loader = loaders_of(info).user_by_id
        for record in page:
            loader.prime(record.id, record, force=True)
        edges = [UserEdge(cursor=encode_cursor(r), node=User.from_record(r)) for r in page]
        return UserConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(records) > first, end_cursor=edges[-1].cursor if edges else None),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info[Any, Any], input: RegisterInput) -> AuthPayload:
        result = await _service(info).register(
            email=input.email, password=input.password, display_name=input.display_name, region=input.region.value
        )
        return _payload(info, result)

    @strawberry.mutation
    async def login(self, info: Info[Any, Any], input: LoginInput) -> AuthPayload:
        context = info.context
        assert isinstance(context, RequestContext)
        result = await _service(info).login(email=input.email, password=input.password, address=context.client_host)
        return _payload(info, result)

    @strawberry.mutation(description="Rotates the refresh token; a reused token revokes its session.")
    async def refresh_token(self, info: Info[Any, Any], refresh_token: str) -> AuthPayload:
        return _payload(info, await _service(info).refresh(refresh_token=refresh_token))

    @strawberry.mutation(directives=AUTHENTICATED, description="Ends the current session.")
    async def logout(self, info: Info[Any, Any]) -> bool:
        await _service(info).logout(claims=require_auth(info))
        return True

    @strawberry.mutation(directives=AUTHENTICATED)
    async def update_profile(self, info: Info[Any, Any], input: UpdateProfileInput) -> User:
        claims = require_scope(info, PROFILE_WRITE)
        record = await _service(info).update_profile(user_id=uuid.UUID(claims.subject), changes=_profile_changes(input))
        loaders_of(info).user_by_id.prime(record.id, record, force=True)
        return User.from_record(record)

    @strawberry.mutation(directives=AUTHENTICATED, description="Other sessions of the account are ended.")
    async def change_password(self, info: Info[Any, Any], current_password: str, new_password: str) -> bool:
        await _service(info).change_password(
            claims=require_auth(info), current_password=current_password, new_password=new_password
        )
        return True

    @strawberry.mutation(description="Always true: the answer never reveals whether the e-mail exists.")
    async def request_password_reset(self, info: Info[Any, Any], email: str) -> bool:
        await _service(info).request_password_reset(email=email)
        return True

    @strawberry.mutation(description="Single use; ends every session of the account.")
    async def reset_password(self, info: Info[Any, Any], token: str, new_password: str) -> bool:
        await _service(info).reset_password(token=token, new_password=new_password)
        return True

    @strawberry.mutation(directives=ADMIN_ONLY)
    async def set_roles(self, info: Info[Any, Any], user_id: strawberry.ID, roles: list[Role]) -> User:
        admin = require_scope(info, ADMIN_USERS)
        record = await _service(info).set_roles(
            admin=admin, user_id=parse_user_id(user_id, field="userId"), roles=[r.value for r in roles]
        )
        return User.from_record(record)

    @strawberry.mutation(directives=ADMIN_ONLY, description="The user's tokens stop working at once.")
    async def ban_user(self, info: Info[Any, Any], user_id: strawberry.ID) -> User:
        admin = require_scope(info, ADMIN_USERS)
        record = await _service(info).set_banned(admin=admin, user_id=parse_user_id(user_id, field="userId"), banned=True)
        return User.from_record(record)

    @strawberry.mutation(directives=ADMIN_ONLY)
    async def unban_user(self, info: Info[Any, Any], user_id: strawberry.ID) -> User:
        admin = require_scope(info, ADMIN_USERS)
        record = await _service(info).set_banned(admin=admin, user_id=parse_user_id(user_id, field="userId"), banned=False)
        return User.from_record(record)


def create_schema(*, mask_errors: bool = True) -> SubgraphSchema:
    return build_schema(query=Query, mutation=Mutation, types=[User], mask_errors=mask_errors)
