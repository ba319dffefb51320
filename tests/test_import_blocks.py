"""Large files are read a block of bytes at a time (sources/landing.BLOCK_BYTES) and landed a group of rows
at a time (landing.LAND_ROWS). With blocks of a few hundred bytes and groups of a few rows, a small
file crosses many boundaries of both: what lands, the row identities, the line numbers in errors
and the transactions must be exactly what one whole-file read gives."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from exporter.app.importing import import_paths
from exporter.errors import InputError
from exporter.normalize.pipeline import rebuild_transactions
from exporter.sources import landing
from exporter.sources.csv_table import CsvTable, in_groups_of
from exporter.store.db import open_db
from tests.helpers import TRADING_HEADER, make_zip, write_csv


def fill(second: int, qty: str = "1", side: str = "BUY") -> tuple[str, ...]:
    at = f"2025-01-01 00:{second // 60:02d}:{second % 60:02d}"
    return (at, qty, "5", "5", side, "BTC_USDT", "0.005", "USDT", "Spot", "s1")


# 40 fills; rows 10, 25 and 39 repeat row 3 exactly: four equal partial fills, far apart.
ROWS = [fill(s) for s in range(40)]
ROWS[10] = ROWS[25] = ROWS[39] = ROWS[3]


def land(db: Path, *paths: Path) -> tuple[list[tuple], list[tuple], list[int]]:
    with open_db(db) as con:
        report = import_paths(con, list(paths), "main")
        raw = con.execute(
            "SELECT row_key, occurrence, line_no, cells FROM raw_export_rows ORDER BY line_no"
        ).fetchall()
        txns = con.execute(
            "SELECT * EXCLUDE (raw_id, member_name) FROM transactions ORDER BY txn_id"
        ).fetchall()
    return raw, txns, [f.rows_inserted for f in report.files]


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landing, "BLOCK_BYTES", 300)  # ~3 rows per block
    monkeypatch.setattr(landing, "LAND_ROWS", 4)  # groups that straddle the blocks


def test_blocks_land_what_a_whole_read_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "x" / "trading.csv", TRADING_HEADER, ROWS)
    whole = land(tmp_path / "whole.duckdb", path)
    monkeypatch.setattr(landing, "BLOCK_BYTES", 300)
    monkeypatch.setattr(landing, "LAND_ROWS", 4)
    blocked = land(tmp_path / "blocked.duckdb", path)
    zipped = land(tmp_path / "zipped.duckdb", make_zip(path.parent, tmp_path / "x.zip"))
    assert blocked == whole == zipped
    raw, _, inserted = blocked
    assert inserted == [40]
    assert [r[2] for r in raw] == list(range(2, 42))
    repeats = [r[1] for r in raw if r[0] == raw[3][0]]
    assert repeats == [1, 2, 3, 4]


def overlapping_exports(folder: Path) -> tuple[Path, Path]:
    """Two exports: the first 30 fills, then all 40. The second is a different file (shifted by
    one row), so it is read and its blocks fall elsewhere; its rows 0-29 are the same 30 fills,
    the repeats of row 3 included."""
    first = write_csv(folder / "a" / "trading.csv", TRADING_HEADER, ROWS[:30])
    return first, write_csv(folder / "b" / "trading.csv", TRADING_HEADER, ROWS)


def test_the_same_rows_cut_differently_are_not_stored_twice(
    tmp_path: Path, small_blocks: None
) -> None:
    first, second = overlapping_exports(tmp_path)
    db = tmp_path / "t.duckdb"
    land(db, first)
    raw, _, inserted = land(db, second)
    assert inserted == [10]
    assert len(raw) == 40


def test_transactions_derived_while_landing_equal_a_rebuild(
    tmp_path: Path, small_blocks: None
) -> None:
    # A first import derives the transactions of each block as it lands; `rebuild` reads the
    # stored rows back. Two overlapping files in that one import: the 30 rows of the second that
    # the first already stored must not be booked again.
    db = tmp_path / "t.duckdb"
    _, landed, inserted = land(db, *overlapping_exports(tmp_path))
    assert inserted == [30, 10]
    assert len(landed) == 40
    with open_db(db) as con:
        rebuild_transactions(con, "main")
        rebuilt = con.execute(
            "SELECT * EXCLUDE (raw_id, member_name) FROM transactions ORDER BY txn_id"
        ).fetchall()
    assert rebuilt == landed


def test_errors_name_the_line_in_a_late_block_and_nothing_lands(
    tmp_path: Path, small_blocks: None
) -> None:
    rows = list(ROWS)
    rows[33] = (*rows[33][:1], "1,5", *rows[33][2:])
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    db = tmp_path / "t.duckdb"
    with pytest.raises(InputError) as error:
        land(db, path)
    assert (error.value.line, error.value.column, error.value.value) == (35, "executed_qty", "1,5")
    with open_db(db) as con:
        assert con.execute("SELECT count(*) FROM raw_export_rows").fetchone() == (0,)


def test_a_quoted_newline_in_a_late_block_keeps_every_line_number(
    tmp_path: Path, small_blocks: None
) -> None:
    rows = list(ROWS)
    rows[20] = (*rows[20][:9], "grid\nbot")  # tax_id with a newline: line 22 spans two lines
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    raw, _, inserted = land(tmp_path / "t.duckdb", path)
    assert inserted == [40]
    lines = [r[2] for r in raw]
    assert lines == [*range(2, 23), *range(24, 43)]
    assert raw[20][3][9] == "grid\nbot"


def test_groups_hold_whole_multiples_and_keep_every_row_in_order() -> None:
    header = ("a", "b")

    def table(first_line: int, count: int) -> CsvTable:
        lines = list(range(first_line, first_line + count))
        rows = pl.DataFrame(
            {"c0": [str(n) for n in lines], "c1": ["x"] * count, "line_no": lines},
            schema={"c0": pl.String, "c1": pl.String, "line_no": pl.Int64},
        )
        return CsvTable(header, 1, rows)

    blocks = [table(2, 3), table(5, 0), table(5, 7), table(12, 1), table(13, 2)]
    groups = list(in_groups_of(blocks, 4))
    assert [g.rows.height for g in groups] == [8, 4, 1]
    lines = [n for g in groups for n in g.rows["line_no"].to_list()]
    assert lines == list(range(2, 15))
    assert all(g.header == header for g in groups)
    # A header-only file still gives its one empty table; a file with no header gives none.
    assert [g.rows.height for g in in_groups_of([table(2, 0)], 4)] == [0]
    assert list(in_groups_of([], 4)) == []


def test_space_separators_are_exactly_what_duckdb_trim_removes() -> None:
    # Row keys have always been md5 over DuckDB-trimmed cells; the importer now trims with
    # polars, stripping landing.SPACE_SEPARATORS. Every code point is checked against DuckDB.
    import duckdb

    with duckdb.connect() as con:
        trimmed = con.execute(
            "SELECT cp FROM range(1, 1114112) t(cp) WHERE (cp < 55296 OR cp > 57343) "
            "AND trim(chr(cp::INTEGER) || 'a' || chr(cp::INTEGER)) = 'a' ORDER BY cp"
        ).fetchall()
    assert "".join(chr(cp) for (cp,) in trimmed) == landing.SPACE_SEPARATORS


def test_row_keys_are_md5_of_the_family_and_the_duckdb_trimmed_cells(tmp_path: Path) -> None:
    # Padding of every kind: DuckDB's trim removes spaces, no-break and ideographic spaces but
    # keeps a tab, so a tab is part of the identity and the others are not.
    padded = [
        (f" {at}\u00a0", f"\u3000{qty}", amount, price, f"{side}  ", sym, fee, coin, mkt, "\ts1\t")
        for at, qty, amount, price, side, sym, fee, coin, mkt, _ in ROWS[:6]
    ]
    path = write_csv(tmp_path / "x" / "trading.csv", TRADING_HEADER, padded + ROWS[6:])
    db = tmp_path / "t.duckdb"
    raw, _, inserted = land(db, path)
    assert inserted == [40]
    with open_db(db) as con:
        expected = con.execute(
            "SELECT md5(family || chr(31) || array_to_string(list_transform(cells, lambda c: trim(c)), "
            "chr(31))) FROM raw_export_rows ORDER BY line_no"
        ).fetchall()
    assert [r[0] for r in raw] == [e[0] for e in expected]
    # the padded rows are the same fills as unpadded ones but for the tab in tax_id
    plain = write_csv(
        tmp_path / "y" / "trading.csv",
        TRADING_HEADER,
        [(*r[:9], "\ts1\t") for r in ROWS[:6]] + ROWS[6:],
    )
    _, _, inserted_again = land(db, plain)
    assert inserted_again == [0]


def test_a_first_import_books_what_a_rebuild_books_column_for_column(
    tmp_path: Path, small_blocks: None
) -> None:
    # A first import derives each block's transactions as it lands, from the frame it typed; a
    # rebuild reads the stored rows back. Every column must agree, provenance (raw_id, member,
    # line) included, which the comparison above leaves out.
    folder = tmp_path / "pionex_txn_2025-01-01_2025-01-31_gen_2025-02-01"
    write_csv(folder / "trading.csv", TRADING_HEADER, ROWS)
    db = tmp_path / "t.duckdb"
    everything = "SELECT * FROM transactions ORDER BY txn_id"
    with open_db(db) as con:
        import_paths(con, [make_zip(folder, tmp_path / "export.zip")], "main")
        landed = con.execute(everything).fetchall()
        rebuild_transactions(con, "main")
        assert con.execute(everything).fetchall() == landed
    assert len(landed) == 40
    assert {row[24] for row in landed} == {f"{folder.name}/trading.csv"}  # member_name
