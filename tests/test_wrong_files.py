"""A file that is not a Pionex export gets a plain answer: what it looks like and where the right
file comes from (the known layouts only with --verbose), exit 1, and nothing stored."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.helpers import TRADING_HEADER, cli, make_zip, quoted_csv, write_csv
from tests.reliability.test_bad_files import all_tables_digest


@pytest.fixture
def seeded_db(db: Path, sample_zip: Path) -> Path:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    return db


def _spreadsheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(["Month", "Rent", "Food"])
    sheet.append(["2025-01-01 00:00:00", 1000, 300])
    book.save(path)
    return path


WRONG_FILES = {
    "empty file": (lambda d: _bytes(d / "trades.csv", b""), "empty"),
    "one-line text file": (lambda d: _bytes(d / "notes.txt", b"hello world\n"), "one line"),
    "PDF renamed .csv": (
        lambda d: _bytes(d / "statement.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        "PDF",
    ),
    "another exchange's CSV": (
        lambda d: _bytes(
            d / "binance.csv",
            b"Date,Type,Market,Amount,Price,Total,Fee,Fee Coin\n"
            b"2025-01-02 03:04:05,BUY,BTCUSDT,0.1,40000,4000,0.4,USDT\n",
        ),
        "'Date,Type,Market,Amount,Price,Total,Fee,Fee Coin'",
    ),
    "random spreadsheet": (lambda d: _spreadsheet(d / "budget.xlsx"), "tabs (Budget)"),
}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(WRONG_FILES))
def test_wrong_file_gets_a_plain_answer_and_nothing_is_stored(
    name: str, seeded_db: Path, tmp_path: Path
) -> None:
    build, looks = WRONG_FILES[name]
    path = build(tmp_path)
    before = all_tables_digest(seeded_db)
    result = cli("--db", seeded_db, "import", path)
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert message.startswith(f"error: {path}") and message.count("\n") == 1, message
    assert "this is not a Pionex export" in message and looks in message
    assert "Dashboard > Transaction history" in message and "--verbose" in message
    # one or two sentences, not the ~1,900-character list of layouts
    assert len(message) < 420 and "trading.v2025" not in message
    assert all_tables_digest(seeded_db) == before


def test_verbose_adds_the_known_layouts(db: Path, tmp_path: Path) -> None:
    path = _bytes(tmp_path / "x.csv", b"when,what\n2025-01-01,x\n")
    result = cli("--verbose", "--db", db, "import", path)
    assert result.exit_code == 1
    assert "layouts this version knows:" in result.stderr and "trading.v2025" in result.stderr


def test_a_random_spreadsheet_leaves_no_review_row(db: Path, tmp_path: Path) -> None:
    assert cli("--db", db, "rebuild").exit_code == 0  # an existing, empty database
    assert cli("--db", db, "import", _spreadsheet(tmp_path / "budget.xlsx")).exit_code == 1
    rows = cli("--db", db, "sql", "SELECT count(*) AS n FROM raw_export_rows", "--format", "csv")
    assert rows.stdout.splitlines() == ["n", "0"]


def test_a_pionex_file_with_only_its_header_says_so_and_exits_0(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trading.csv", TRADING_HEADER, [])
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    assert "header only, no rows" in result.stdout
    assert "already in the database" not in result.stdout


def test_an_empty_file_inside_a_pionex_export_is_still_skipped(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pionex_txn_2025-01-01_2025-01-31_gen_2025-02-01"
    write_csv(folder / "trading.csv", TRADING_HEADER, [])
    _bytes(folder / "structured-products.csv", b"")
    result = cli("--db", db, "import", make_zip(folder, tmp_path / f"{folder.name}.zip"))
    assert result.exit_code == 0, result.output
    assert "skipped: empty file" in result.stdout


def test_a_folder_of_files_none_of_them_pionex_is_refused(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "a.csv").write_text(quoted_csv(("when", "what"), []), encoding="utf-8")
    result = cli("--db", db, "import", folder)
    assert result.exit_code == 1 and "not a Pionex export" in result.stderr


def test_a_wrong_file_into_a_new_database_leaves_no_database(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    wrong = tmp_path / "notes.csv"
    wrong.write_text("hello, world\n1,2\n")

    result = cli("--db", db, "import", wrong)

    assert result.exit_code == 1, result.output
    assert not db.exists() and not db.with_name(db.name + ".wal").exists()
