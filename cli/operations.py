"""`fitgraph operations manifest` (schema/operations/*.graphql → the trusted-documents manifest)
and `fitgraph exports keys create|list|revoke` (API keys of the BI exports)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import orjson
import typer

from cli import app
from schema.operations.manifest import DEFAULT_DIRECTORY, OperationsError, build_manifest

__all__ = ["create_key", "exports_app", "list_keys", "manifest_command", "operations_app", "revoke_key"]

operations_app = typer.Typer(help="First-party client operations and their trusted-documents manifest.")
app.add_typer(operations_app, name="operations")


@operations_app.command("manifest")
def manifest_command(
    directory: Path = typer.Option(
        DEFAULT_DIRECTORY, "--directory", "-d", help="where the *.graphql files are"
    ),
    output: Path = typer.Option(
        DEFAULT_DIRECTORY / "manifest.json", "--output", "-o", help='manifest JSON file ("-" for stdout)'
    ),
    supergraph: Path | None = typer.Option(
        None, "--supergraph", help="also validate every operation against this supergraph's API schema"
    ),
) -> None:
    """Generate the manifest (id = sha256 of each operation's body)."""
    schema = None
    if supergraph is not None:
        from router.supergraph import load_supergraph

        schema = load_supergraph(supergraph.read_text(encoding="utf-8")).api_schema
    try:
        manifest = build_manifest(directory, schema=schema)
    except OperationsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    text = orjson.dumps(manifest, option=orjson.OPT_INDENT_2).decode() + "\n"
    if str(output) == "-":
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output} ({len(manifest['operations'])} operations)")


# -- `fitgraph exports keys …`: API keys for BI exports -----------------------------------------

exports_app = typer.Typer(help="BI exports: API keys (stored hashed, scoped, revocable).")
keys_app = typer.Typer(help="Create, list and revoke export API keys.")
exports_app.add_typer(keys_app, name="keys")
app.add_typer(exports_app, name="exports")


def _key_store(redis_url: str | None, prefix: str, keys_file: Path | None) -> Any:
    from router.exports.keys import FileApiKeyStore, RedisApiKeyStore

    if (redis_url is None) == (keys_file is None):
        typer.echo("error: give exactly one of --redis-url or --keys-file", err=True)
        raise typer.Exit(2)
    if redis_url is not None:
        return RedisApiKeyStore.from_url(redis_url, prefix=prefix)
    assert keys_file is not None
    return FileApiKeyStore(keys_file)


_REDIS = typer.Option(None, "--redis-url", envvar="FITGRAPH_API_KEYS_REDIS_URL", help="Redis key store")
_PREFIX = typer.Option(
    "fitgraph:api-keys:", "--prefix", help="Redis key prefix (router.yaml exports.redis_prefix)"
)
_FILE = typer.Option(None, "--keys-file", help="JSON file key store")


@keys_app.command("create")
def create_key(
    name: str = typer.Argument(..., help="who or what uses the key, e.g. power-bi"),
    scope: list[str] = typer.Option(["bi:read"], "--scope", "-s", help="repeatable"),
    redis_url: str | None = _REDIS,
    prefix: str = _PREFIX,
    keys_file: Path | None = _FILE,
) -> None:
    """Create a key; it is printed once and stored only as a hash."""

    async def run() -> tuple[str, Any]:
        store = _key_store(redis_url, prefix, keys_file)
        try:
            return cast(tuple[str, Any], await store.create(name, tuple(scope)))
        finally:
            await store.aclose()

    key, record = asyncio.run(run())
    typer.echo(f"id: {record.id}\nscopes: {' '.join(record.scopes)}\nkey: {key}")


@keys_app.command("list")
def list_keys(redis_url: str | None = _REDIS, prefix: str = _PREFIX, keys_file: Path | None = _FILE) -> None:
    """List keys (ids, names, scopes, revoked): never the keys themselves."""

    async def run() -> list[Any]:
        store = _key_store(redis_url, prefix, keys_file)
        try:
            return list(await store.list())
        finally:
            await store.aclose()

    for record in asyncio.run(run()):
        state = "revoked" if record.revoked else "active"
        typer.echo(f"{record.id}\t{record.name}\t{' '.join(record.scopes)}\t{state}")


@keys_app.command("revoke")
def revoke_key(
    key_id: str = typer.Argument(..., help="the key's id (from create or list)"),
    redis_url: str | None = _REDIS,
    prefix: str = _PREFIX,
    keys_file: Path | None = _FILE,
) -> None:
    """Revoke a key: it stops working at once."""

    async def run() -> bool:
        store = _key_store(redis_url, prefix, keys_file)
        try:
            return bool(await store.revoke(key_id))
        finally:
            await store.aclose()

    if not asyncio.run(run()):
        typer.echo(f"error: no key with id {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
