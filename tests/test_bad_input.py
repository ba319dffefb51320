"""Bad input: a clear message naming file, line, column, value and what was expected; exit 1;
the database exactly as it was (docs/architecture.md, invariant 10)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

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
