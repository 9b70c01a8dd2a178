"""GraphQL types of the users subgraph. Every User is resolved through the per-request loader."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.federation.schema_directives import Authenticated, RequiresScopes
from strawberry.types import Info

from auth.roles import ADMIN_READ, ADMIN_USERS
from subgraphs.common.context import RequestContext, require_auth
from subgraphs.common.errors import Forbidden
from subgraphs.users.loaders import UserLoaders
from subgraphs.users.store import UserRecord

__all__ = [
    "ADMIN_ONLY",
    "AUTHENTICATED",
    "AuthPayload",
    "PageInfo",
    "Region",
    "Role",
    "Units",
    "User",
    "UserConnection",
    "UserEdge",
    "UserStatus",
    "loaders_of",
]

AUTHENTICATED = [Authenticated()]
ADMIN_ONLY = [Authenticated(), RequiresScopes(scopes=[[ADMIN_USERS]])]


@strawberry.enum
class Region(Enum):
    EU = "EU"
    RU = "RU"
    NA = "NA"
    SA = "SA"
    ASIA = "ASIA"
    AFRICA = "AFRICA"
    OCEANIA = "OCEANIA"


@strawberry.enum
class Units(Enum):
    METRIC = "METRIC"
    IMPERIAL = "IMPERIAL"


@strawberry.enum
class UserStatus(Enum):
    ACTIVE = "ACTIVE"
    BANNED = "BANNED"


@strawberry.enum
class Role(Enum):
    USER = "user"
    COACH = "coach"
    ADMIN = "admin"
    BI = "bi"


def loaders_of(info: Info[Any, Any]) -> UserLoaders:
    context = info.context
    assert isinstance(context, RequestContext)
    loaders = context.loaders
    assert isinstance(loaders, UserLoaders)
    return loaders


def _private(info: Info[Any, Any], user: User) -> None:
    """Private fields: the account itself, or staff allowed to read/manage accounts."""
    if user.owner_view:
        return
    claims = require_auth(info)
    if claims.subject == str(user.record.id):
        return
    if claims.has_scope(ADMIN_USERS) or claims.has_scope(ADMIN_READ):
        return
    raise Forbidden("Only the account owner or an admin can read this field")


@strawberry.federation.type(keys=["id"], description="A FitGraph account.")
class User:
    id: strawberry.ID
    record: strawberry.Private[UserRecord]
    # Set on the user of an AuthPayload: the caller just proved to be this account (register,
    # login, refresh) although the request itself carried no token.
    owner_view: strawberry.Private[bool] = False

    @classmethod
    def from_record(cls, record: UserRecord, *, owner_view: bool = False) -> User:
        return cls(id=strawberry.ID(str(record.id)), record=record, owner_view=owner_view)

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> User | None:
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        record = await loaders_of(info).user_by_id.load(key)
        return None if record is None else cls.from_record(record)

    @strawberry.field
    def display_name(self) -> str:
        return self.record.display_name

    @strawberry.field
    def region(self) -> Region:
        return Region(self.record.region)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def email(self, info: Info[Any, Any]) -> str | None:
        _private(info, self)
        return self.record.email

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def roles(self, info: Info[Any, Any]) -> list[Role] | None:
        _private(info, self)
        return [Role(role) for role in self.record.roles]

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def status(self, info: Info[Any, Any]) -> UserStatus | None:
        _private(info, self)
        return UserStatus(self.record.status)

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def units(self, info: Info[Any, Any]) -> Units | None:
        _private(info, self)
        return Units(self.record.units)

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def timezone(self, info: Info[Any, Any]) -> str | None:
        _private(info, self)
        return self.record.timezone

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def birth_year(self, info: Info[Any, Any]) -> int | None:
        _private(info, self)
        return self.record.birth_year

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def height_cm(self, info: Info[Any, Any]) -> float | None:
        _private(info, self)
        return self.record.height_cm

    @strawberry.field(directives=AUTHENTICATED, description="Owner or admin only.")
    def weight_kg(self, info: Info[Any, Any]) -> float | None:
        _private(info, self)
        return self.record.weight_kg


@strawberry.type
class AuthPayload:
    access_token: str
    refresh_token: str
    user: User


@strawberry.type
class UserEdge:
    cursor: str
    node: User


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[User]:
        return [edge.node for edge in self.edges]
