"""Bad input: a clear message naming file, line, column, value and what was expected; exit 1;
the database exactly as it was (docs/architecture.md, invariant 10)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest

from exporter.sources import landing
from exporter.sources.trading import TRADING_V2025
from exporter.sources.typed import first_bad_cell, typed_frame
from tests.helpers import TRADING_HEADER, cli, query, table_counts, write_csv

GOOD = (
    "2025-01-03 10:00:01",
    "0.01",
    "942.505",
    "94250.5",
    "BUY",
    "BTC_USDT",
    "0.47",
    "USDT",
    "Spot",
    "s_1",
)


def _with(index: int, value: str) -> tuple[str, ...]:
    row = list(GOOD)
    row[index] = value
    return tuple(row)


@pytest.fixture
def seeded_db(db: Path, sample_zip: Path) -> Path:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    return db


def _assert_refused(db: Path, path: Path, *fragments: str) -> str:
    before = table_counts(db), query(db, "SELECT * FROM transactions ORDER BY txn_id")
    result = cli("--db", db, "import", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert (table_counts(db), query(db, "SELECT * FROM transactions ORDER BY txn_id")) == before
    return result.stderr


def test_malformed_number_names_file_line_column_value(seeded_db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [GOOD, GOOD, _with(2, "1,942.50")])
    _assert_refused(
        seeded_db,
        path,
        str(path),
        "line 4",
        "column 'amount'",
        "'1,942.50'",
        "expected a plain decimal",
    )


def test_malformed_date_is_refused(seeded_db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [_with(0, "2024-11-31 00:04:25")])
    _assert_refused(
        seeded_db,
        path,
        "line 2",
        "column 'date(UTC+0)'",
        "'2024-11-31 00:04:25'",
        "expected a date-time",
    )


def test_truncated_row_is_refused(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "trading.csv"
    text = (
        ",".join(f'"{h}"' for h in TRADING_HEADER) + "\n" + ",".join(f'"{c}"' for c in GOOD) + "\n"
    )
    text += ",".join(f'"{c}"' for c in GOOD[:6]) + "\n"
    path.write_text(text)
    _assert_refused(seeded_db, path, "line 3", "truncated", "6 fields where the header has 10")


def test_row_with_extra_fields_is_refused(seeded_db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [GOOD, (*GOOD, "surprise")])
    _assert_refused(seeded_db, path, "line 3", "extra fields")


def test_unknown_layout_is_refused_with_the_header_shown(seeded_db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mystery.csv", ("when", "what", "how much"), [("2025-01-01", "x", "1")]
    )
    _assert_refused(seeded_db, path, "line 1", "not a Pionex export", "'when,what,how much'")


def test_empty_required_cell_is_refused(seeded_db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [_with(1, "")])
    _assert_refused(seeded_db, path, "line 2", "column 'executed_qty'", "empty")


def test_one_bad_file_in_a_zip_imports_nothing_from_the_zip(
    seeded_db: Path, tmp_path: Path
) -> None:
    good = write_csv(
        tmp_path / "x" / "trading.csv", TRADING_HEADER, [_with(0, "2026-01-01 00:00:00")]
    )
    bad = write_csv(
        tmp_path / "x" / "others.csv",
        ("date(UTC+0)", "coin", "amount", "tag", "comment"),
        [("2026-01-01 00:00:00", "USDT", "abc", "CommissionIn", "")],
    )
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(good, "pionex_txn_2026-01-01_2026-01-31_gen_2026-02-01/trading.csv")
        z.write(bad, "pionex_txn_2026-01-01_2026-01-31_gen_2026-02-01/others.csv")
    message = _assert_refused(
        seeded_db, archive, "others.csv", "line 2", "column 'amount'", "'abc'"
    )
    assert str(archive) in message


def test_binary_junk_and_non_utf8_are_refused(seeded_db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02binary\xff\xfe")
    _assert_refused(seeded_db, junk, "junk.csv", "not UTF-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (
            '"date(UTC+0)","coin","amount","tag","comment"\n"2025-01-01 00:00:00","USDT","1","Caf\xe9",""\n'
        ).encode("latin-1")
    )
    _assert_refused(seeded_db, latin, "latin.csv", "line 2", "not UTF-8")


def test_truncated_zip_is_refused(seeded_db: Path, sample_zip: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(sample_zip.read_bytes()[: sample_zip.stat().st_size // 2])
    _assert_refused(seeded_db, cut, "cut.zip")


def test_missing_path_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    result = cli("--db", db, "import", tmp_path / "nope.zip")
    assert result.exit_code == 1 and "no such file or folder" in result.stderr


# ---- which cell is named: every cell is checked, the first bad line wins, then the column -----
# (sources/typed.first_bad_cell asks cheaply whether a block holds any bad cell before it looks
# for the first: these pin that the answer it then gives is the one a row-by-row check gives.)


def _refused(db: Path, path: Path) -> str:
    result = cli("--db", db, "import", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    return result.stderr


def _fill(second: int) -> tuple[str, ...]:
    return _with(0, f"2025-01-03 10:00:{second:02d}")


@pytest.mark.parametrize(("index", "column"), [(5, "symbol"), (7, "fee_coin")])
def test_a_bad_name_on_the_last_line_of_a_block_is_named_with_its_line(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: int, column: str
) -> None:
    """Symbols and coins are checked by distinct value: one bad value, held by the last row of
    a block of good ones, is still found and named with its own line."""
    monkeypatch.setattr(landing, "BLOCK_BYTES", 300)  # ~3 rows per block read
    monkeypatch.setattr(landing, "LAND_ROWS", 4)  # rows checked 4 at a time
    rows = [_fill(s) for s in range(12)]
    rows[7] = (*rows[7][:index], 'USDT"', *rows[7][index + 1 :])  # the last row of the 2nd group
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    stderr = _refused(db, path)
    for fragment in ("line 9", f"column {column!r}", "'USDT\"'", "not a"):
        assert fragment in stderr, stderr
    assert not db.exists() or not query(db, "SELECT * FROM raw_export_rows")


def test_a_bad_name_on_the_last_row_of_a_full_size_block_is_found() -> None:
    """The same at the real block size (landing.LAND_ROWS rows), through the real checks."""
    rows = landing.LAND_ROWS
    good = {f"c{i}": [value] * rows for i, value in enumerate(GOOD)}
    frame = pl.DataFrame(good).with_columns(
        pl.when(pl.int_range(rows) == rows - 1)
        .then(pl.lit("BTC_USDT "))  # a trailing blank is no fault: the name is stripped
        .otherwise(pl.col("c5"))
        .alias("c5"),
        pl.when(pl.int_range(rows) == rows - 1)
        .then(pl.lit("US DT"))
        .otherwise(pl.col("c7"))
        .alias("c7"),
        pl.int_range(2, rows + 2, dtype=pl.Int64).alias("line_no"),
    )
    typed = typed_frame(frame, TRADING_V2025)
    assert first_bad_cell(frame, TRADING_V2025, typed) == (rows + 1, 7, "US DT", "coin")
    fixed = frame.with_columns(pl.lit("USDT").alias("c7"))
    assert first_bad_cell(fixed, TRADING_V2025, typed_frame(fixed, TRADING_V2025)) is None


def test_of_two_bad_cells_the_first_line_wins(db: Path, tmp_path: Path) -> None:
    rows = [_fill(s) for s in range(6)]
    rows[4] = _with(2, "1,5")  # line 6: a bad number
    rows[2] = _with(7, "US-DT")  # line 4: a bad coin, in a later column
    stderr = _refused(db, write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows))
    for fragment in ("line 4", "column 'fee_coin'", "'US-DT'"):
        assert fragment in stderr, stderr
    assert "line 6" not in stderr


@pytest.mark.parametrize(
    ("cells", "fragments"),
    [
        # Two bad cells on one line: the earlier column is named...
        ({2: "1,5", 5: "ETH__USDT"}, ("column 'amount'", "'1,5'", "not a valid number")),
        ({0: "", 7: "US-DT"}, ("column 'date(UTC+0)'", "a required cell is empty")),
        ({5: "ETH__USDT", 6: "abc"}, ("column 'symbol'", "'ETH__USDT'", "not a Pionex symbol")),
        # ...except that an over-long cell anywhere on the line is named before any other fault.
        ({0: "", 9: "x" * 10_001}, ("column 'tax_id'", "10,001 characters long")),
    ],
)
def test_of_two_bad_cells_on_one_line_the_same_column_is_named(
    db: Path, tmp_path: Path, cells: dict[int, str], fragments: tuple[str, ...]
) -> None:
    row = list(GOOD)
    for index, value in cells.items():
        row[index] = value
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [GOOD, GOOD, tuple(row), GOOD])
    stderr = _refused(db, path)
    for fragment in ("line 4", *fragments):
        assert fragment in stderr, stderr


def test_an_optional_number_is_refused_only_when_present_and_unparsed(
    db: Path, tmp_path: Path
) -> None:
    """fee is optional: empty ("") and blank cells are no fault; a present cell that is no
    number is, on its own line, after the empty ones."""
    rows = [_with(6, ""), _with(6, "  "), GOOD, _with(6, "0.5 USDT"), GOOD]
    stderr = _refused(db, write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows))
    for fragment in ("line 5", "column 'fee'", "'0.5 USDT'", "not a valid number"):
        assert fragment in stderr, stderr
    del rows[3]
    result = cli("--db", db, "import", write_csv(tmp_path / "ok.csv", TRADING_HEADER, rows))
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT count(*) FROM raw_export_rows") == [(4,)]


def test_an_over_long_cell_is_refused_by_characters_not_bytes(db: Path, tmp_path: Path) -> None:
    """The limit counts characters: 10,000 two-byte characters pass, 10,001 (in a column that
    is otherwise free text, on the last line) are refused."""
    rows = [_fill(s) for s in range(5)]
    rows[1] = _with(9, "é" * 10_000)
    rows[4] = _with(9, "é" * 10_001)
    stderr = _refused(db, write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows))
    for fragment in ("line 6", "column 'tax_id'", "10,001 characters long"):
        assert fragment in stderr, stderr
    del rows[4]
    result = cli("--db", db, "import", write_csv(tmp_path / "ok.csv", TRADING_HEADER, rows))
    assert result.exit_code == 0, result.output
