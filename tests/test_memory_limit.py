"""DuckDB's memory: bounded by PIONEX_EXPORT_MEMORY_LIMIT, and halved while transactions are derived
(the import holds its rows in flight on the Python side; see store.db.memory_share)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.app import importing
from exporter.errors import UserError
from exporter.sources import landing
from exporter.store.db import MEMORY_LIMIT_ENV, memory_share, open_db
from tests.helpers import TRADING_HEADER, write_csv


def limit(con) -> str:  # type: ignore[no-untyped-def]
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_the_limit_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "2GiB")
    with open_db(tmp_path / "t.duckdb") as con:
        assert limit(con) == "2.0 GiB"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(UserError, match="not a memory size"), open_db(tmp_path / "t.duckdb"):
        pass


def test_a_share_holds_inside_the_block_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "2GiB")
    with open_db(tmp_path / "t.duckdb") as con:
        with memory_share(con, 0.5):
            assert limit(con) == "1.0 GiB"
        assert limit(con) == "2.0 GiB"
        with pytest.raises(RuntimeError), memory_share(con, 0.25):
            assert limit(con) == "512.0 MiB"
            raise RuntimeError("a failed import")
        assert limit(con) == "2.0 GiB"


def test_an_import_gives_duckdb_half_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "2GiB")
    seen = []
    land_file = landing.land_file

    def spy(con, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(limit(con))
        return land_file(con, *args, **kwargs)

    monkeypatch.setattr(importing, "land_file", spy)
    row = ("2025-01-01 00:00:01", "1", "5", "5", "BUY", "BTC_USDT", "0.005", "USDT", "Spot", "s1")
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [row])
    with open_db(tmp_path / "t.duckdb") as con:
        importing.import_paths(con, [path], "main")
        assert seen == ["1.0 GiB"]
        assert limit(con) == "2.0 GiB"
