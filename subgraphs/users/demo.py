"""Demo data for `make dev`: deterministic accounts other subgraphs can reference.

Ids are uuid5 of the e-mail, so ``demo_user_ids()`` is computable without a database and the
training/social demo data can point at the same users.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from auth.passwords import PasswordHasher
from subgraphs.users.db import Databases
from subgraphs.users.models import REGIONS
from subgraphs.users.settings import Settings
from subgraphs.users.store import UserRecord, UserStore

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "BI_EMAIL",
    "BI_PASSWORD",
    "COACH_EMAIL",
    "COACH_PASSWORD",
    "DEMO_PASSWORD",
    "DEMO_USER_COUNT",
    "demo_email",
    "demo_user_id",
    "demo_user_ids",
    "load_demo_data",
]

_NAMESPACE = uuid.UUID("6f1c1c52-5d3e-4d0a-9a55-7b0f6c1f1a00")

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@fitgraph.dev", "FitGraph-admin-1"
COACH_EMAIL, COACH_PASSWORD = "coach@fitgraph.dev", "FitGraph-coach-1"
BI_EMAIL, BI_PASSWORD = "bi@fitgraph.dev", "FitGraph-bi-1"
DEMO_PASSWORD = "FitGraph-demo-1"
DEMO_USER_COUNT = 300

_FIRST = ("Anna", "Boris", "Chen", "Dara", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi", "Liam")
_LAST = ("Ivanova", "Smith", "Wang", "Okafor", "Garcia", "Müller", "Sato", "Rossi", "Nowak", "Silva", "Khan")
_TIMEZONES = {
    "EU": "Europe/Berlin",
    "RU": "Europe/Moscow",
    "NA": "America/New_York",
    "SA": "America/Sao_Paulo",
    "ASIA": "Asia/Singapore",
    "AFRICA": "Africa/Lagos",
    "OCEANIA": "Australia/Sydney",
}


def demo_user_id(email: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, email.strip().lower())


def demo_email(index: int) -> str:
    """E-mail of demo user ``index`` (1-based): user001@fitgraph.dev …"""
    return f"user{index:03d}@fitgraph.dev"


def demo_user_ids() -> list[uuid.UUID]:
    """Ids of the regular demo users user001 … user300, in that order."""
    return [demo_user_id(demo_email(i)) for i in range(1, DEMO_USER_COUNT + 1)]


def _record(
    email: str, name: str, region: str, roles: tuple[str, ...], password_hash: str, index: int, epoch: datetime
) -> tuple[UserRecord, str]:
    created = epoch + timedelta(hours=index)
    metric = index % 4 != 0
    return (
        UserRecord(
            id=demo_user_id(email),
            region=region,
            email=email,
            display_name=name,
            password_hash=password_hash,
            roles=roles,
            units="METRIC" if metric else "IMPERIAL",
            timezone=_TIMEZONES[region],
            birth_year=1960 + index % 45,
            height_cm=float(155 + index % 40),
            weight_kg=float(50 + (index * 7) % 60),
            status="ACTIVE",
            created_at=created,
            updated_at=created,
        ),
        email.lower(),
    )


def _accounts() -> list[tuple[str, str, str, tuple[str, ...], int]]:
    """(email, display name, region, roles, password index) of every demo account."""
    accounts = [
        (ADMIN_EMAIL, "FitGraph Admin", "EU", ("admin", "user"), 0),
        (COACH_EMAIL, "Coach Carter", "NA", ("coach", "user"), 1),
        (BI_EMAIL, "BI Analyst", "EU", ("bi",), 2),
    ]
    for i in range(1, DEMO_USER_COUNT + 1):
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i // len(_FIRST)) % len(_LAST)]}"
        accounts.append((demo_email(i), name, REGIONS[i % len(REGIONS)], ("user",), 3))
    return accounts


async def load_demo_data(settings: Settings, *, hasher: PasswordHasher | None = None) -> None:
    """Create the demo accounts that are missing (idempotent; cheap when all exist)."""
    accounts = _accounts()
    databases = Databases(settings.database_url, settings.region_database_urls, pool_size=2)
    try:
        await databases.migrate()
        store = UserStore(databases)
        existing = await store.users_by_ids(ids=[demo_user_id(email) for email, *_ in accounts])
        if len(existing) == len(accounts):
            return
        hasher = hasher or PasswordHasher()
        # One hash per distinct password: 300 production Argon2 hashes would take a while.
        passwords = (ADMIN_PASSWORD, COACH_PASSWORD, BI_PASSWORD, DEMO_PASSWORD)
        hashes = await asyncio.gather(*(asyncio.to_thread(hasher.hash, p) for p in passwords))
        epoch = datetime(2025, 1, 1, tzinfo=UTC)
        records = [
            _record(email, name, region, roles, hashes[password], index, epoch)
            for index, (email, name, region, roles, password) in enumerate(accounts)
        ]
        await store.create_users_bulk(records=records)
    finally:
        await databases.dispose()
