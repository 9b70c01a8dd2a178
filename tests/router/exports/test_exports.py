"""BI exports over real HTTP: the router's export route, the Engine, a real subgraph on
loopback; the files are read back with pandas and pyarrow."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from router.exports.keys import FileApiKeyStore, RedisApiKeyStore
from tests.router.caching.support import bearer
from tests.router.exports.support import FAILING_CURSORS, WORKOUTS, Analytics, export_app, running_analytics
from tests.support.servers import running_server

BI = bearer("analyst", "bi")  # the bi role grants bi:read


@pytest.fixture(scope="module")
async def analytics() -> AsyncIterator[Analytics]:
    async with running_analytics() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(analytics: Analytics) -> None:
    analytics.subgraph.reset()


async def _get(app: object, path: str, **kwargs: object) -> httpx.Response:
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.get(path, **kwargs)  # type: ignore[arg-type]


async def test_csv_pages_through_the_connection_and_reads_back_with_pandas(
    analytics: Analytics, tmp_path: Path
) -> None:
    response = await _get(export_app(analytics, tmp_path), "/exports/workouts.csv", headers=BI)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="workouts.csv"' in response.headers["content-disposition"]
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8", keep_default_na=False)
    assert list(frame.columns) == [
        "id", "sport", "startTime", "distanceM", "calories", "done", "owner.id", "owner.name", "tags",
    ]  # fmt: skip
    assert list(frame["id"]) == [workout["id"] for workout in WORKOUTS]
    assert frame.loc[1, "owner.name"] == 'Ирина "Ира"' and frame.loc[1, "sport"] == "RUN"
    assert frame.loc[0, "sport"] == "RIDE, long" and frame.loc[0, "owner.id"] == ""
    assert frame.loc[3, "startTime"] == "2026-03-02T06:00:00Z"  # ISO-8601 as served
    assert list(frame["done"][:4]) == [True, False, False, True]
    assert orjson.loads(frame.loc[1, "tags"]) == ["morning", "outdoor"]
    # 25 rows, pages of 10: three GraphQL requests, the cursor passed along.
    assert [request.variables.get("after") for request in analytics.subgraph.received] == [None, "10", "20"]


async def test_ndjson_streams_one_object_per_row(analytics: Analytics, tmp_path: Path) -> None:
    response = await _get(export_app(analytics, tmp_path), "/exports/workouts.ndjson?first=7", headers=BI)
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = response.content.splitlines()
    assert [orjson.loads(line) for line in lines] == WORKOUTS
    frame = pd.read_json(io.BytesIO(response.content), lines=True)
    assert len(frame) == 25
    assert len(analytics.subgraph.received) == 4


async def test_parquet_has_typed_columns(analytics: Analytics, tmp_path: Path) -> None:
    response = await _get(export_app(analytics, tmp_path), "/exports/workouts.parquet", headers=BI)
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 25
    schema = table.schema
    assert schema.field("startTime").type == pa.timestamp("us", tz="UTC")
    assert schema.field("calories").type == pa.int64()
    assert schema.field("distanceM").type == pa.float64()
    assert schema.field("done").type == pa.bool_()
    assert schema.field("owner.name").type == pa.string()
    frame = table.to_pandas()
    assert frame.loc[3, "startTime"] == pd.Timestamp("2026-03-02T06:00:00Z")
    assert pd.isna(frame.loc[5, "distanceM"]) and frame.loc[6, "distanceM"] == 6003.0
    # One row group per page.
    assert pq.ParquetFile(io.BytesIO(response.content)).num_row_groups == 3


async def test_parquet_partitioned_by_day_is_a_hive_dataset(analytics: Analytics, tmp_path: Path) -> None:
    response = await _get(
        export_app(analytics, tmp_path / "defs"),
        "/exports/workouts.parquet",
        params={"partition": "day", "first": "4"},
        headers=BI,
    )
    assert response.headers["content-type"] == "application/zip"
    target = tmp_path / "dataset"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(target)
    days = sorted(path.name for path in target.iterdir())
    assert days == [f"startTime_date=2026-03-0{day}" for day in range(1, 10)]
    table = pq.read_table(target, partitioning="hive")
    assert table.num_rows == 25
    first_day = pq.read_table(target / "startTime_date=2026-03-01")
    assert sorted(first_day.column("id").to_pylist()) == ["w00", "w01", "w02"]


async def test_range_parameters_filter_at_the_source(analytics: Analytics, tmp_path: Path) -> None:
    response = await _get(
        export_app(analytics, tmp_path),
        "/exports/workouts.csv",
        params={"RangeStart": "2026-03-03T00:00:00Z", "RangeEnd": "2026-03-04T00:00:00Z"},
        headers=BI,
    )
    frame = pd.read_csv(io.BytesIO(response.content))
    assert list(frame["id"]) == ["w06", "w07", "w08"]
    assert analytics.subgraph.received[0].variables["rangeStart"] == "2026-03-03T00:00:00Z"


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/exports/workouts.csv", {}, 401, "UNAUTHENTICATED"),
        ("/exports/workouts.csv", {"authorization": "Bearer not-a-jwt"}, 401, "UNAUTHENTICATED"),
        ("/exports/workouts.csv", bearer("someone", "user"), 403, "FORBIDDEN"),
        ("/exports/nope.csv", BI, 404, "NOT_FOUND"),
        ("/exports/workouts.xlsx", BI, 404, "NOT_FOUND"),
        ("/exports/workouts.csv?colour=red", BI, 400, "BAD_USER_INPUT"),
        ("/exports/workouts.csv?first=100000", BI, 400, "BAD_USER_INPUT"),
        ("/exports/workouts.csv?first=abc", BI, 400, "BAD_USER_INPUT"),
        ("/exports/workouts.csv?partition=day", BI, 400, "BAD_USER_INPUT"),
    ],
)
async def test_refusals(
    analytics: Analytics, tmp_path: Path, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    response = await _get(export_app(analytics, tmp_path), path, headers=headers)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert analytics.subgraph.received == []


async def test_a_failing_subgraph_is_an_error_not_an_empty_file(analytics: Analytics, tmp_path: Path) -> None:
    analytics.subgraph.failure = "http_500"
    response = await _get(export_app(analytics, tmp_path), "/exports/workouts.csv", headers=BI)
    assert response.status_code == 502
    assert response.json()["errors"]


@pytest.mark.parametrize("kind", ["redis", "file"])
async def test_api_keys_are_hashed_scoped_and_revocable(
    analytics: Analytics, tmp_path: Path, redis_url: str, redis_prefix: str, kind: str
) -> None:
    store = (
        RedisApiKeyStore.from_url(redis_url, prefix=redis_prefix)
        if kind == "redis"
        else FileApiKeyStore(tmp_path / "keys.json")
    )
    try:
        key, record = await store.create("power-bi", ("bi:read",))
        weak, _ = await store.create("other", ("metrics:read",))
        app = export_app(
            analytics,
            tmp_path,
            key_store=kind,
            redis_url=redis_url if kind == "redis" else None,
            redis_prefix=redis_prefix,
            keys_file=str(tmp_path / "keys.json"),
            api_key_param="key",
            subgraph_headers={"x-service": "exports"},
        )
        async with (
            running_server(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        ):
            ok = await client.get("/exports/workouts.ndjson", params={"key": key, "first": "25"})
            assert ok.status_code == 200 and len(ok.content.splitlines()) == 25
            assert analytics.subgraph.received[0].headers["x-service"] == "exports"
            assert "authorization" not in analytics.subgraph.received[0].headers
            scoped = await client.get("/exports/workouts.ndjson", params={"key": weak})
            assert scoped.status_code == 403
            assert await store.revoke(record.id) is True
            revoked = await client.get("/exports/workouts.ndjson", params={"key": key})
            assert revoked.status_code == 401
        listed = {item.name: item for item in await store.list()}
        assert listed["power-bi"].revoked and not listed["other"].revoked
        if kind == "file":
            stored = (tmp_path / "keys.json").read_text(encoding="utf-8")
            assert key not in stored and weak not in stored  # only hashes are kept
    finally:
        await store.aclose()


async def test_a_page_failing_mid_stream_aborts_the_transfer(analytics: Analytics, tmp_path: Path) -> None:
    FAILING_CURSORS.add("20")
    try:
        app = export_app(analytics, tmp_path)
        async with (
            running_server(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        ):
            with pytest.raises(httpx.RemoteProtocolError):
                async with client.stream("GET", "/exports/workouts.csv", headers=BI) as response:
                    assert response.status_code == 200  # the first page was fine
                    async for _ in response.aiter_bytes():
                        pass
    finally:
        FAILING_CURSORS.discard("20")
    assert [request.variables.get("after") for request in analytics.subgraph.received] == [None, "10", "20"]
