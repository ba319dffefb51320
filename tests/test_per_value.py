"""Hoisting the per-value parts of layout SQL (sources/per_value.py) is an optimisation only: the
transactions must be exactly those the same SQL gives evaluated row by row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from exporter.app.importing import import_paths
from exporter.normalize import exports
from exporter.normalize.pipeline import rebuild_transactions
from exporter.sources.per_value import hoist, per_value, plain
from exporter.store.db import open_db
from tests.helpers import TRADING_HEADER, write_csv


def test_nested_marks_become_one_column_and_null_keys_still_join() -> None:
    inner = per_value("upper(r.symbol)")
    exprs = {"a": f"coalesce({per_value(f'left({inner}, 3)')}, '?') || r.n", "b": inner}
    rewritten, rows = hoist(exprs, "t")
    assert rewritten == {"a": "coalesce(pv._pv0, '?') || r.n", "b": "pv._pv1"}
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES ('btc_usdt', 'x'), (NULL, 'y'), ('btc_usdt', 'z')) v(symbol, n)"
        )
        hoisted = con.execute(
            f"SELECT {rewritten['a']}, {rewritten['b']} FROM {rows} ORDER BY r.n"
        ).fetchall()
        row_by_row = con.execute(
            f"SELECT {plain(exprs['a'])}, {plain(exprs['b'])} FROM t r ORDER BY r.n"
        ).fetchall()
    assert hoisted == row_by_row == [("BTCx", "BTC_USDT"), ("?y", None), ("BTCz", "BTC_USDT")]


def test_unbalanced_marks_and_marks_without_a_row_column_are_refused() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        hoist({"a": per_value("r.x")[:-1]}, "t")
    with pytest.raises(ValueError, match="must read a column"):
        hoist({"a": per_value("'USDT'")}, "t")


def _no_hoist(exprs: dict[str, str], rows: str) -> tuple[dict[str, str], str]:
    return {k: plain(v) for k, v in exprs.items()}, f"{rows} r"


def test_every_layout_books_the_same_with_and_without_hoisting(
    db: Path, sample_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = [  # coins and symbols the per-value expressions handle specially
        ("2025-01-01 00:00:01", "1", "5", "5", "BUY", "MBTC_USDT", "0.005", "USDT", "Spot", "s1"),
        ("2025-01-01 00:00:02", "4", "8", "2", "SELL", "1inch_usdt", "0.008", "", "Spot", "s1"),
        ("2025-01-01 00:00:03", "4", "8", "2", "SELL", "BIO_USDT_PERP", "0.1", "USDT", "Futures USDT", ""),
        ("2025-01-01 00:00:04", "4", "8", "2", "BUY", "NOUNDERSCORE", "0", "", "", ""),
        ("2025-01-01 00:00:05", "4", "8", "2", "HOLD", "ETH_MBTC", "0.1", "MBTC", "Spot", "s2"),
    ]  # fmt: skip
    extra = write_csv(tmp_path / "extra" / "trading.csv", TRADING_HEADER, odd)
    with open_db(db) as con:
        import_paths(con, [sample_folder, extra], "main")
        hoisted = con.execute("SELECT * FROM transactions ORDER BY txn_id").fetchall()
        monkeypatch.setattr(exports, "hoist", _no_hoist)
        rebuild_transactions(con, "main")
        row_by_row = con.execute("SELECT * FROM transactions ORDER BY txn_id").fetchall()
    assert len(hoisted) > 30
    assert hoisted == row_by_row
