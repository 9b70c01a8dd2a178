"""Login throttling per account and per client address, exponential back-off, in Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from subgraphs.common.kv import RedisKeyValueStore
from subgraphs.users.throttle import LoginThrottle, ThrottlePolicy
from tests.subgraphs.users.harness import UsersServer, postgres_database_url, redis_key_prefix, users_server
from tests.support.services import REDIS_URL


@pytest.fixture(scope="module")
async def throttled() -> AsyncIterator[UsersServer]:
    async with postgres_database_url() as url, redis_key_prefix() as prefix, users_server(
        url,
        redis_prefix=prefix,
        login_failures_per_account=3,
        login_failures_per_address=10_000,
        login_backoff_base_seconds=60,
    ) as server:
        yield server


async def test_account_locks_after_repeated_failures(throttled: UsersServer) -> None:
    account = await throttled.register()
    email = account["user"]["email"]
    for _ in range(2):
        assert (await throttled.login(email, "Wrong-password-1")).codes == ["UNAUTHENTICATED"]
    # The third failure reaches the threshold and locks the account ...
    assert (await throttled.login(email, "Wrong-password-1")).codes == ["UNAUTHENTICATED"]
    locked = await throttled.login(email)
    # ... so even the right password is refused until the lock expires.
    assert locked.codes == ["RATE_LIMITED"]
    assert 1 <= locked.errors[0]["extensions"]["retryAfter"] <= 60
    assert locked.errors[0]["extensions"]["scope"] == "account"
    # Other accounts from the same address are unaffected.
    other = await throttled.register()
    assert not (await throttled.login(other["user"]["email"])).errors


async def test_success_resets_the_account_counter(throttled: UsersServer) -> None:
    account = await throttled.register()
    email = account["user"]["email"]
    for _ in range(2):
        await throttled.login(email, "Wrong-password-1")
    assert not (await throttled.login(email)).errors
    for _ in range(2):
        assert (await throttled.login(email, "Wrong-password-1")).codes == ["UNAUTHENTICATED"]
    assert not (await throttled.login(email)).errors


async def test_unknown_accounts_are_throttled_too(throttled: UsersServer) -> None:
    email = throttled.new_email("ghost")
    for _ in range(3):
        assert (await throttled.login(email)).codes == ["UNAUTHENTICATED"]
    assert (await throttled.login(email)).codes == ["RATE_LIMITED"]


async def test_address_locks_across_accounts(redis_prefix: str) -> None:
    async with postgres_database_url() as url, users_server(
        url, redis_prefix=redis_prefix, login_failures_per_account=100, login_failures_per_address=4
    ) as server:
        victims = [await server.register() for _ in range(4)]
        for victim in victims:
            assert (await server.login(victim["user"]["email"], "Wrong-password-1")).codes == ["UNAUTHENTICATED"]
        blocked = await server.login(victims[0]["user"]["email"])
        assert blocked.codes == ["RATE_LIMITED"]
        assert blocked.errors[0]["extensions"]["scope"] == "address"
        fresh = await server.register()
        assert (await server.login(fresh["user"]["email"])).codes == ["RATE_LIMITED"]


async def test_back_off_doubles_with_each_failure_past_the_threshold(redis_prefix: str) -> None:
    client = aioredis.from_url(REDIS_URL, decode_responses=True)
    kv = RedisKeyValueStore(client, prefix=redis_prefix)
    # Long locks so the remaining TTLs read back are far apart whatever the machine's speed.
    policy = ThrottlePolicy(account_threshold=2, base_seconds=1000, max_seconds=3500)
    throttle = LoginThrottle(kv, policy)
    try:
        locks = []
        for _ in range(5):
            await throttle.record_failure(account="someone@example.com", address=None)
            locks.append(await kv.ttl("login:lock:account:someone@example.com"))
        assert locks[0] is None  # below the threshold: no lock yet
        assert locks[1] is not None and 900 < locks[1] <= 1000
        assert locks[2] is not None and 1900 < locks[2] <= 2000
        assert locks[3] is not None and 3400 < locks[3] <= 3500
        assert locks[4] is not None and 3400 < locks[4] <= 3500  # capped at max_seconds
        assert [policy.lock_seconds(n, 2) for n in range(1, 6)] == [0.0, 1000, 2000, 3500, 3500]
    finally:
        await kv.close()
