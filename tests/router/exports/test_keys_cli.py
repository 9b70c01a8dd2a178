"""`fitgraph exports keys create|list|revoke` against a real Redis and a key file."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from router.exports.keys import FileApiKeyStore, RedisApiKeyStore


def _lookup_file(path: Path, key: str) -> object:
    return asyncio.run(FileApiKeyStore(path).lookup(key))


def test_keys_lifecycle_with_a_key_file(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--keys-file", str(tmp_path / "keys.json")]
    created = runner.invoke(app, ["exports", "keys", "create", "power-bi", "-s", "bi:read", *store])
    assert created.exit_code == 0, created.output
    key = re.search(r"^key: (\S+)$", created.output, re.M).group(1)  # type: ignore[union-attr]
    key_id = re.search(r"^id: (\S+)$", created.output, re.M).group(1)  # type: ignore[union-attr]
    assert key not in (tmp_path / "keys.json").read_text(encoding="utf-8")
    listed = runner.invoke(app, ["exports", "keys", "list", *store])
    assert listed.output.strip() == f"{key_id}\tpower-bi\tbi:read\tactive"
    revoked = runner.invoke(app, ["exports", "keys", "revoke", key_id, *store])
    assert revoked.exit_code == 0
    assert "revoked" in runner.invoke(app, ["exports", "keys", "list", *store]).output
    assert runner.invoke(app, ["exports", "keys", "revoke", "nope", *store]).exit_code == 1
    assert runner.invoke(app, ["exports", "keys", "list"]).exit_code == 2


async def test_keys_created_by_the_command_are_found_in_redis(redis_url: str, redis_prefix: str) -> None:
    runner = CliRunner()
    args = ["exports", "keys", "create", "bi", "--redis-url", redis_url, "--prefix", redis_prefix]
    created = await asyncio.to_thread(runner.invoke, app, args)
    assert created.exit_code == 0, created.output
    key = re.search(r"^key: (\S+)$", created.output, re.M).group(1)  # type: ignore[union-attr]
    store = RedisApiKeyStore.from_url(redis_url, prefix=redis_prefix)
    try:
        record = await store.lookup(key)
        assert record is not None and record.has_scope("bi:read") and record.name == "bi"
        assert await store.lookup(key + "x") is None
    finally:
        await store.aclose()
