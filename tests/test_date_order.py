"""Slash dates are read in the order the whole FILE shows (issue 15, defect 3): an Excel re-save in
a European locale writes `03/04/2025` for 3 April. A day above 12 in the first field makes the file
day-first, in the second month-first; a file where both orders fit every row is booked month-first
(the documented default) and its rows whose reading depends on it are flagged; a file showing both
orders is refused. Never a silent guess. Files are written by the tests, as Excel writes them."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from exporter.sources import landing
from exporter.store import db as store
from tests.helpers import OTHERS_HEADER, POSITION_HEADER, TRADING_HEADER, cli, query, write_csv
from tests.test_layouts import COINTRACKER_HEADER

AMBIGUOUS = "ambiguous date order"


def trade(at: str, qty: str = "1") -> tuple[str, ...]:
    return (at, qty, "5", "5", "BUY", "BTC_USDT", "0.005", "USDT", "Spot", "s1")


def resaved(path: Path, dates: list[str]) -> Path:
    """trading.csv as Excel writes it back: unquoted, dates without seconds."""
    rows = [trade(at, str(n + 1)) for n, at in enumerate(dates)]
    return write_csv(path, TRADING_HEADER, rows, quote_all=False, newline="\r\n")


def booked(db: Path) -> list[tuple]:
    return query(
        db, "SELECT occurred_at, base_amount, needs_review, review_reason FROM transactions "
        "ORDER BY base_amount"
    )  # fmt: skip


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landing, "BLOCK_BYTES", 200)  # ~3 rows per block
    monkeypatch.setattr(landing, "LAND_ROWS", 2)


def test_a_day_first_file_is_read_day_first_even_when_its_last_block_shows_it(
    db: Path, tmp_path: Path, small_blocks: None
) -> None:
    dates = ["03/04/2025 10:00", "05/04/2025 09:30", "07/04/2025 08:15", "11/04/2025 12:00",
             "12/04/2025 16:45", "13/04/2025 17:00"]  # fmt: skip
    path = resaved(tmp_path / "eu" / "trading.csv", dates)
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    expected = [
        (at("2025-04-03 10:00"), Decimal(1), False, None),
        (at("2025-04-05 09:30"), Decimal(2), False, None),
        (at("2025-04-07 08:15"), Decimal(3), False, None),
        (at("2025-04-11 12:00"), Decimal(4), False, None),
        (at("2025-04-12 16:45"), Decimal(5), False, None),
        (at("2025-04-13 17:00"), Decimal(6), False, None),
    ]
    assert booked(db) == expected
    assert query(db, "SELECT date_order FROM import_files") == [("day-first",)]
    # A rebuild reads the stored rows in the file's order, without the file.
    assert cli("--db", db, "rebuild").exit_code == 0
    assert booked(db) == expected


def test_a_day_first_file_imported_next_to_stored_rows_is_read_day_first(
    db: Path, tmp_path: Path
) -> None:
    # The account already has export rows: this import derives through a rebuild, not per block.
    other = write_csv(
        tmp_path / "a" / "trading.csv", TRADING_HEADER, [trade("2025-01-01 00:00:00")]
    )
    assert cli("--db", db, "import", other).exit_code == 0
    path = resaved(tmp_path / "eu" / "trading.csv", ["02/05/2025 10:00", "25/05/2025 11:00"])
    assert cli("--db", db, "import", path).exit_code == 0
    assert [r[0] for r in booked(db)] == [
        at("2025-01-01 00:00"), at("2025-05-02 10:00"), at("2025-05-25 11:00")
    ]  # fmt: skip


def test_a_month_first_file_is_read_month_first_without_a_flag(db: Path, tmp_path: Path) -> None:
    path = resaved(tmp_path / "us" / "trading.csv", ["4/3/2025 10:00", "4/13/2025 11:00"])
    assert cli("--db", db, "import", path).exit_code == 0
    assert booked(db) == [
        (at("2025-04-03 10:00"), Decimal(1), False, None),
        (at("2025-04-13 11:00"), Decimal(2), False, None),
    ]


def test_a_file_both_orders_fit_is_booked_month_first_and_flagged(db: Path, tmp_path: Path) -> None:
    path = resaved(tmp_path / "x" / "trading.csv", ["03/04/2025 10:00", "05/05/2025 11:00"])
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    ((first_at, _, flagged, reason), second) = booked(db)
    assert (first_at, flagged) == (at("2025-03-04 10:00"), True)  # 4 March: month/day/year
    assert reason.startswith(AMBIGUOUS)
    # 5 May reads the same either way: nothing to doubt.
    assert second == (at("2025-05-05 11:00"), Decimal(2), False, None)
    assert AMBIGUOUS in result.stdout
    assert cli("--db", db, "rebuild").exit_code == 0
    assert booked(db)[0][2:] == (True, reason)


def test_a_file_showing_both_orders_is_refused_naming_both_lines(
    db: Path, tmp_path: Path, small_blocks: None
) -> None:
    dates = ["13/04/2025 10:00", "01/04/2025 11:00", "02/04/2025 11:00", "04/14/2025 12:00"]
    path = resaved(tmp_path / "mixed" / "trading.csv", dates)
    result = cli("--db", db, "import", path)
    assert result.exit_code == 1
    message = result.stderr
    assert "trading.csv, line 5, column 'date(UTC+0)'" in message
    assert "'04/14/2025 12:00'" in message and "line 2" in message and "13/04/2025" in message
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not db.exists()  # a failed first import leaves no database behind


def test_for_cointracker_in_its_documented_format_is_month_first_unflagged(
    db: Path, tmp_path: Path
) -> None:
    # Pionex itself writes this file MM/DD/YYYY HH:MM:SS: month-first is documented, not guessed.
    path = write_csv(
        tmp_path / "for-cointracker.csv",
        COINTRACKER_HEADER,
        [("01/05/2024 08:00:00", "10", "USDT", "", "", "", "", "")],
    )
    assert cli("--db", db, "import", path).exit_code == 0
    assert query(db, "SELECT occurred_at, needs_review FROM transactions") == [
        (at("2024-01-05 08:00:00"), False)
    ]


def test_a_day_first_position_file_opens_its_funding_window_day_first(
    db: Path, tmp_path: Path
) -> None:
    # The position was open 5..13 April; others.csv funding on 10 April is inside that window,
    # so funding is booked once, from others.csv (read month-first, 5/4 would be 4 May: after the
    # close, and the position's own funding_fee would be booked as well).
    folder = tmp_path / "export"
    write_csv(
        folder / "position_futures.csv",
        POSITION_HEADER,
        [
            (
                "p1",
                "BIO_USDT_PERP",
                "short",
                "05/04/2025 08:00",
                "13/04/2025 09:00",
                "3",
                "-1",
                "-0.5",
            )
        ],
        quote_all=False,
    )
    write_csv(
        folder / "others.csv",
        OTHERS_HEADER,
        [("2025-04-10 08:00:00", "USDT", "-0.5", "FundingFee", "BIO_USDT_PERP")],
    )
    assert cli("--db", db, "import", folder).exit_code == 0
    assert query(
        db,
        "SELECT source_family, subkind, base_amount FROM transactions WHERE subkind = 'FundingFee'",
    ) == [("others", "FundingFee", Decimal("0.5"))]
    assert query(
        db, "SELECT occurred_at FROM transactions WHERE source_family = 'position_futures'"
    ) == [(at("2025-04-13 09:00"),)]


def test_an_upgraded_database_keeps_reading_its_month_first_files_unflagged(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file imported before the order was stored: a row's second field above 12 shows it was
    # month-first, so after the upgrade its other rows are not flagged; a file that showed no
    # order was a guess, and its rows are flagged.
    shown = resaved(tmp_path / "us" / "trading.csv", ["4/3/2025 10:00", "4/13/2025 11:00"])
    guessed = resaved(tmp_path / "other" / "trading.csv", ["5/6/2025 10:00"])
    assert cli("--db", db, "import", shown, guessed).exit_code == 0
    schemas = tmp_path / "schemas-v8"
    schemas.mkdir()
    for number, path in store.migrations():
        if number < 9:
            shutil.copy(path, schemas)
    old = tmp_path / "old.duckdb"
    with monkeypatch.context() as patch:
        patch.setattr(store, "SCHEMAS_DIR", schemas)
        with store.open_db(old) as con:
            store.run(con, f"ATTACH '{db}' AS cur (READ_ONLY)")
            for table in ("imports", "import_files", "raw_export_rows"):
                columns = [
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE "
                        "table_catalog = 'old' AND table_name = ? ORDER BY ordinal_position",
                        [table],
                    ).fetchall()
                ]
                names = ", ".join(f'"{c}"' for c in columns)
                store.run(con, f"INSERT INTO {table} ({names}) SELECT {names} FROM cur.{table}")
            store.run(con, "DETACH cur")
    assert cli("--db", old, "rebuild").exit_code == 0
    by_time = "SELECT occurred_at, needs_review FROM transactions ORDER BY occurred_at"
    expected = [
        (at("2025-04-03 10:00"), False),
        (at("2025-04-13 11:00"), False),
        (at("2025-05-06 10:00"), True),  # ambiguous date order
    ]
    assert query(db, by_time) == query(old, by_time) == expected
    assert sorted(query(old, "SELECT date_order FROM import_files"), key=str) == [
        ("month-first",),
        (None,),
    ]
