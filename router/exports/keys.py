"""API keys for exports: random keys, stored only as SHA-256 hashes, with scopes, revocable.

A key reads `fgk_<id>_<secret>`; `<id>` names it in listings and revocation, the whole string
is hashed (keys are 192-bit random, so a fast hash is enough: nothing to brute-force).
Stores: Redis (`<prefix>h:<hash>` → record, `<prefix>id:<id>` → hash) shared by every
replica, or a JSON file for one node.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import orjson

__all__ = [
    "ApiKey",
    "ApiKeyStore",
    "FileApiKeyStore",
    "RedisApiKeyStore",
    "build_key_store",
    "hash_key",
    "new_key",
]


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: float
    revoked: bool = False

    def has_scope(self, scope: str) -> bool:
        return not self.revoked and scope in self.scopes


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> tuple[str, str]:
    """(key id, full key)."""
    key_id = secrets.token_hex(4)
    return key_id, f"fgk_{key_id}_{secrets.token_urlsafe(24)}"


def _record(data: Any) -> ApiKey:
    return ApiKey(
        id=str(data["id"]),
        name=str(data["name"]),
        scopes=tuple(data["scopes"]),
        created_at=float(data["created_at"]),
        revoked=bool(data.get("revoked", False)),
    )


class ApiKeyStore(Protocol):
    async def create(self, name: str, scopes: tuple[str, ...]) -> tuple[str, ApiKey]: ...
    async def lookup(self, key: str) -> ApiKey | None: ...
    async def revoke(self, key_id: str) -> bool: ...
    async def list(self) -> list[ApiKey]: ...
    async def aclose(self) -> None: ...


class RedisApiKeyStore:
    def __init__(self, redis: Any, *, prefix: str = "fitgraph:api-keys:") -> None:
        self._redis = redis
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "fitgraph:api-keys:") -> RedisApiKeyStore:
        import redis.asyncio as aioredis

        return cls(aioredis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), prefix=prefix)

    async def create(self, name: str, scopes: tuple[str, ...]) -> tuple[str, ApiKey]:
        key_id, key = new_key()
        record = ApiKey(key_id, name, tuple(scopes), time.time())
        digest = hash_key(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self._prefix}h:{digest}", orjson.dumps(asdict(record)))
            pipe.set(f"{self._prefix}id:{key_id}", digest)
            await pipe.execute()
        return key, record

    async def lookup(self, key: str) -> ApiKey | None:
        raw = await self._redis.get(f"{self._prefix}h:{hash_key(key)}")
        if raw is None:
            return None
        record = _record(orjson.loads(raw))
        return None if record.revoked else record

    async def revoke(self, key_id: str) -> bool:
        digest = await self._redis.get(f"{self._prefix}id:{key_id}")
        if digest is None:
            return False
        entry = f"{self._prefix}h:{digest.decode() if isinstance(digest, bytes) else digest}"
        raw = await self._redis.get(entry)
        if raw is None:
            return False
        await self._redis.set(entry, orjson.dumps(asdict(replace(_record(orjson.loads(raw)), revoked=True))))
        return True

    async def list(self) -> list[ApiKey]:
        records = [
            _record(orjson.loads(raw))
            async for key in self._redis.scan_iter(match=f"{self._prefix}h:*", count=500)
            if (raw := await self._redis.get(key)) is not None
        ]
        return sorted(records, key=lambda record: record.created_at)

    async def aclose(self) -> None:
        await self._redis.aclose()


class FileApiKeyStore:
    """`{"keys": [{"id", "hash", "name", "scopes", "created_at", "revoked"}]}`; written
    atomically (temp file + rename), read off the event loop."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._lock = asyncio.Lock()

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = orjson.loads(self._path.read_bytes())
        except FileNotFoundError:
            return []
        return list(data.get("keys", []))

    def _write(self, keys: list[dict[str, Any]]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(self._path.suffix + ".tmp")
        temporary.write_bytes(orjson.dumps({"keys": keys}, option=orjson.OPT_INDENT_2))
        os.chmod(temporary, 0o600)
        os.replace(temporary, self._path)

    async def create(self, name: str, scopes: tuple[str, ...]) -> tuple[str, ApiKey]:
        key_id, key = new_key()
        record = ApiKey(key_id, name, tuple(scopes), time.time())
        async with self._lock:
            keys = await asyncio.to_thread(self._read)
            keys.append({**asdict(record), "hash": hash_key(key)})
            await asyncio.to_thread(self._write, keys)
        return key, record

    async def lookup(self, key: str) -> ApiKey | None:
        digest = hash_key(key)
        for item in await asyncio.to_thread(self._read):
            if secrets.compare_digest(str(item.get("hash", "")), digest):
                record = _record(item)
                return None if record.revoked else record
        return None

    async def revoke(self, key_id: str) -> bool:
        async with self._lock:
            keys = await asyncio.to_thread(self._read)
            found = False
            for item in keys:
                if item.get("id") == key_id:
                    item["revoked"] = found = True
            if found:
                await asyncio.to_thread(self._write, keys)
        return found

    async def list(self) -> list[ApiKey]:
        return [_record(item) for item in await asyncio.to_thread(self._read)]

    async def aclose(self) -> None:
        return None


def build_key_store(config: Any) -> ApiKeyStore | None:
    """The store an `ExportsConfig` names (None for `key_store: none`)."""
    if config.key_store == "redis":
        if config.redis_url is None:
            raise ValueError("exports.key_store redis needs exports.redis_url")
        return RedisApiKeyStore.from_url(config.redis_url, prefix=config.redis_prefix)
    if config.key_store == "file":
        if config.keys_file is None:
            raise ValueError("exports.key_store file needs exports.keys_file")
        return FileApiKeyStore(config.keys_file)
    return None
