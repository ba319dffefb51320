"""Parquet read back with a fresh DuckDB connection: exact types, all rows, time order, and the
ledger file's per-asset sums equal to the database's ledger."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from tests.helpers import cli, ledger_nets, query
from tests.test_outputs_common import build_full_db


@pytest.fixture
def full_db(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_db(db, tmp_path_factory)


def _read(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql.replace("FILE", f"read_parquet('{path.as_posix()}')")).fetchall()


def test_folder_output_holds_transactions_and_ledger(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "pq"
    result = cli("--db", full_db, "export", "parquet", "-o", out)
    assert result.exit_code == 0, result.output
    transactions, ledger = out / "transactions.parquet", out / "ledger.parquet"
    types = dict(
        _read(transactions, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM FILE)")
    )
    assert types["base_amount"] == "DECIMAL(38,18)"
    assert types["occurred_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["needs_review"] == "BOOLEAN"
    count = query(full_db, "SELECT count(*) FROM transactions")[0][0]
    assert _read(transactions, "SELECT count(*) FROM FILE")[0][0] == count
    stamps = [r[0] for r in _read(transactions, "SELECT occurred_at FROM FILE")]
    assert stamps == sorted(stamps)
    exact = {r[0] for r in _read(transactions, "SELECT base_amount FROM FILE")}
    assert Decimal("123456789012345678.5") in exact and Decimal("1E-18") in exact
    nets = dict(_read(ledger, "SELECT asset, sum(amount) FROM FILE GROUP BY asset"))
    assert {a: Decimal(v) for a, v in nets.items() if v} == ledger_nets(full_db)


def test_file_output_and_year_selection(full_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.parquet"
    assert cli("--db", full_db, "export", "parquet", "-o", out, "--year", "2025").exit_code == 0
    ledger = tmp_path / "history.ledger.parquet"
    assert out.exists() and ledger.exists()
    years = _read(out, "SELECT DISTINCT year(occurred_at) FROM FILE")
    assert years == [(2025,)]
    assert cli("--db", full_db, "export", "parquet", "-o", out, "--year", "2019").exit_code == 0
    assert _read(out, "SELECT count(*) FROM FILE") == [(0,)]
    assert _read(ledger, "SELECT count(*) FROM FILE") == [(0,)]


def test_an_existing_non_parquet_file_is_refused(full_db: Path, tmp_path: Path) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("keep me")
    result = cli("--db", full_db, "export", "parquet", "-o", mine)
    assert result.exit_code == 1 and "existing file" in result.stderr
    assert mine.read_text() == "keep me"


def test_times_are_utc_instants_for_every_engine_whatever_the_local_zone(
    full_db: Path, tmp_path: Path
) -> None:
    # Written by the real CLI in a child process whose local zone is 13 hours from UTC: a time
    # read or written in the local zone anywhere on the way would show up as a 13-hour shift.
    out = tmp_path / "pq"
    env = {**os.environ, "TZ": "Pacific/Auckland"}
    subprocess.run(
        [sys.executable, "-m", "exporter.cli", "--db", str(full_db), "export", "parquet", "-o",
         str(out)],
        check=True, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    utc = dt.UTC
    for table in ("transactions", "ledger"):
        path = out / f"{table}.parquet"
        expected = [
            r[0].replace(tzinfo=utc)
            for r in query(full_db, f"SELECT occurred_at FROM {table} ORDER BY occurred_at")
        ]
        # pyarrow: the file's own schema says UTC-adjusted.
        schema = pq.ParquetFile(path).schema
        column = schema.column(schema.names.index("occurred_at"))
        logical = json.loads(column.logical_type.to_json())
        assert (logical["Type"], logical["isAdjustedToUTC"]) == ("Timestamp", True)
        assert str(pq.read_schema(path).field("occurred_at").type) == "timestamp[us, tz=UTC]"
        # polars: a UTC datetime column with the database's instants.
        frame = pl.read_parquet(path).sort("occurred_at")
        assert frame.schema["occurred_at"] == pl.Datetime("us", "UTC")
        assert frame["occurred_at"].to_list() == expected
        # DuckDB in another zone: the same instants.
        with duckdb.connect() as con:
            con.execute("SET TimeZone = 'America/New_York'")
            got = con.execute(
                f"SELECT occurred_at FROM read_parquet('{path.as_posix()}') ORDER BY 1"
            ).fetchall()
        assert [r[0].astimezone(utc) for r in got] == expected
