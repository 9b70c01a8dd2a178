"""Export logs of the real `fitgraph router` process at debug level: one `export_finished` line
per export with its request id and row count, and never the API key (it travels in the URL) or
the bearer token, whatever the outcome (grepped in the raw output)."""

from __future__ import annotations

from pathlib import Path

import orjson

from router.exports.keys import FileApiKeyStore
from tests.router.caching.support import bearer
from tests.router.exports.generated import running_ledger
from tests.router.exports.process import running_router


async def test_export_lines_carry_ids_and_never_keys_or_tokens(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    store = FileApiKeyStore(keys_file)
    key, _ = await store.create("power-bi", ("bi:read",))
    revoked_key, revoked_record = await store.create("revoked", ("bi:read",))
    await store.revoke(revoked_record.id)
    headers = bearer("analyst", "bi")
    token = headers["authorization"].removeprefix("Bearer ")
    exports = {"key_store": "file", "keys_file": str(keys_file)}
    async with (
        running_ledger(2_500) as (_, url),
        running_router(tmp_path, url, exports=exports, level="debug") as (client, _),
    ):
        by_key = await client.get(
            "/exports/ledger.csv", params={"api_key": key, "first": "1000"}, headers={"x-request-id": "bi-1"}
        )
        by_token = await client.get("/exports/ledger.ndjson", headers=headers)
        refused = await client.get("/exports/ledger.csv", params={"api_key": revoked_key})
        bad_input = await client.get("/exports/ledger.csv", params={"api_key": key, "first": "-1"})
    assert by_key.status_code == 200 and len(by_key.text.splitlines()) == 2_501
    assert by_token.status_code == 200 and len(by_token.content.splitlines()) == 2_500
    assert refused.status_code == 401 and bad_input.status_code == 400
    output = (tmp_path / "router.log").read_bytes()
    for secret in (key, revoked_key, token, key.split("_", 2)[2]):  # the key, and its secret part
        assert secret.encode() not in output, secret
    lines = [orjson.loads(line) for line in output.splitlines() if line.startswith(b"{")]
    finished = [line for line in lines if line.get("event") == "export_finished"]
    assert {(line["request_id"], line["rows"], line["outcome"]) for line in finished} >= {
        ("bi-1", 2_500, "ok")
    }
    assert all(line.get("trace_id") for line in finished)
    refusals = [line for line in lines if line.get("event") == "export_refused"]
    assert [(line["status"], line["error_codes"]) for line in refusals] == [
        (401, ["UNAUTHENTICATED"]),
        (400, ["BAD_USER_INPUT"]),
    ]
