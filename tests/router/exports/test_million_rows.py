"""Constant memory for a million rows (issue 5, exports): the real `fitgraph router` process
exports 1,000,000 rows from a loopback subgraph whose cursor connection is generated on the
fly (pages of 5,000), the client reads the CSV and the NDJSON incrementally and checks the
count and the first and last rows, and the router's peak resident memory (VmHWM, from /proc)
stays within a bound while it streams. The bound is a memory bound, not a timing assertion:
holding the rows of a million-row export would cost the router several hundred MB."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson

from tests.router.caching.support import bearer
from tests.router.exports.generated import ledger_row, running_ledger
from tests.router.exports.process import running_router

ROWS = 1_000_000
PAGE = 5_000
GROWTH_BOUND_MB = 100
BI = bearer("analyst", "bi")


def _memory_kb(pid: int, field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident since start) of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no {field}")


async def _stream_lines(client: httpx.AsyncClient, path: str) -> tuple[int, list[str], str]:
    """(number of lines, the first two lines, the last line), reading the body chunk by chunk
    and keeping only its head and its tail."""
    count, head, tail = 0, b"", b""
    async with client.stream("GET", path, params={"first": str(PAGE)}, headers=BI) as response:
        assert response.status_code == 200, await response.aread()
        async for chunk in response.aiter_bytes():
            count += chunk.count(b"\n")
            if len(head) < 4096:
                head += chunk[:4096]
            tail = (tail + chunk)[-4096:]
    assert tail.endswith(b"\n"), "the body must end with a line break"
    first_lines = [line.decode().rstrip("\r") for line in head.split(b"\n")[:2]]
    last_line = tail[:-1].rsplit(b"\n", 1)[-1].decode().rstrip("\r")
    return count, first_lines, last_line


def _csv_line(index: int) -> str:
    row = ledger_row(index)
    settled = "true" if row["settled"] else "false"
    account = row["account"]
    return f"{row['id']},{row['seq']},{row['at']},{row['amount']},{settled},{account['iban']},{account['holder']}"


async def test_a_million_row_export_streams_in_bounded_memory(tmp_path: Path) -> None:
    async with (
        running_ledger(ROWS) as (ledger, url),
        running_router(tmp_path, url, exports={"max_page_size": PAGE}) as (client, pid),
    ):
        # Warm-up: a small export loads the plan, the caches and the CSV/HTTP code paths.
        warm = await client.get("/exports/ledger.csv", params={"first": "1000"}, headers=BI)
        assert warm.status_code == 200
        baseline_kb = _memory_kb(pid, "VmRSS")
        served = ledger.pages_served

        lines, (header, first), last = await _stream_lines(client, "/exports/ledger.csv")
        assert lines == ROWS + 1
        assert header == "id,seq,at,amount,settled,account.iban,account.holder"
        assert first == _csv_line(0)
        assert last == _csv_line(ROWS - 1)
        assert ledger.pages_served - served == ROWS // PAGE

        lines, (first_json, second_json), last_json = await _stream_lines(client, "/exports/ledger.ndjson")
        assert lines == ROWS
        assert orjson.loads(first_json) == ledger_row(0)
        assert orjson.loads(second_json) == ledger_row(1)
        assert orjson.loads(last_json) == ledger_row(ROWS - 1)

        growth_mb = (_memory_kb(pid, "VmHWM") - baseline_kb) / 1024
        print(f"router: baseline {baseline_kb / 1024:.0f} MB, peak growth {growth_mb:.1f} MB")
        assert growth_mb < GROWTH_BOUND_MB, f"router peak memory grew by {growth_mb:.0f} MB"
