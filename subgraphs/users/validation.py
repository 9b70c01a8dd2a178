"""Input validation; every failure is BAD_USER_INPUT naming the GraphQL field."""

from __future__ import annotations

import re
import unicodedata
import uuid
import zoneinfo
from datetime import UTC, datetime
from functools import cache

from auth.passwords import validate_password_strength
from subgraphs.common.errors import BadUserInput

__all__ = [
    "normalize_email",
    "parse_user_id",
    "validate_birth_year",
    "validate_display_name",
    "validate_email",
    "validate_height",
    "validate_password",
    "validate_timezone",
    "validate_weight",
]

# Deliberately simple (one @, a dot in the domain, no spaces): full RFC 5322 parsing accepts
# addresses no mail system delivers to, and the real check is the reset mail.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_MAX_EMAIL = 254  # RFC 5321 §4.5.3.1.3 path limit
_MAX_DISPLAY_NAME = 64


def normalize_email(email: str) -> str:
    return email.strip().lower()


def validate_email(email: str, *, field: str = "email") -> str:
    value = email.strip()
    if not value or len(value) > _MAX_EMAIL or not _EMAIL.fullmatch(value):
        raise BadUserInput("Enter a valid e-mail address", field=field)
    return value


def validate_password(password: str, *, field: str = "password") -> str:
    try:
        validate_password_strength(password)
    except ValueError as error:
        raise BadUserInput(str(error).capitalize(), field=field) from error
    return password


def validate_display_name(name: str, *, field: str = "displayName") -> str:
    value = " ".join(name.split())
    if not value:
        raise BadUserInput("Display name must not be empty", field=field)
    if len(value) > _MAX_DISPLAY_NAME:
        raise BadUserInput(f"Display name must be at most {_MAX_DISPLAY_NAME} characters", field=field)
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise BadUserInput("Display name must not contain control characters", field=field)
    return value


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str, *, field: str = "timezone") -> str:
    if name not in _timezones() and name != "UTC":
        raise BadUserInput("Unknown IANA time zone (e.g. Europe/Berlin)", field=field)
    return name


def validate_birth_year(year: int, *, field: str = "birthYear") -> int:
    current = datetime.now(UTC).year
    if not 1900 <= year <= current:
        raise BadUserInput(f"Birth year must be between 1900 and {current}", field=field)
    return year


def validate_height(value: float, *, field: str = "heightCm") -> float:
    if not 50 <= value <= 300:
        raise BadUserInput("Height must be between 50 and 300 cm", field=field)
    return value


def validate_weight(value: float, *, field: str = "weightKg") -> float:
    if not 20 <= value <= 500:
        raise BadUserInput("Weight must be between 20 and 500 kg", field=field)
    return value


def parse_user_id(value: str, *, field: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise BadUserInput("Not a valid user id", field=field) from error
