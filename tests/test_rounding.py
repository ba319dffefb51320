"""One rounding rule past 18 decimals, on the export path (typed by polars) and the API path
(cast by DuckDB): half away from zero, so an export row and its API twin pair (issue 15, defect 4).

The expected values are worked out by hand with Python's Decimal (ROUND_HALF_UP is half away from
zero), never read back from the program."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.helpers import OTHERS_HEADER, TRADING_HEADER, cli, query, write_csv

EIGHTEEN = Decimal(1).scaleb(-18)


def half_away(text: str) -> Decimal:
    return Decimal(text).quantize(EIGHTEEN, rounding=ROUND_HALF_UP)


# Ties whose 18th digit is even (half-even would round them toward zero) and plain cases.
CASES = [
    "0.1234567890123456785",  # tie, even 18th digit: ...679, not ...678
    "0.0000000000000000005",  # tie at the smallest step: 1E-18, not 0
    "2.0000000000000000025",
    "0.12345678901234567849",  # below the tie: down
    "0.12345678901234567851",  # above the tie: up
    "7.0000000000000000045000",  # a tie written with trailing zeros
]


@pytest.mark.parametrize("size", CASES)
def test_export_row_with_19_decimals_pairs_with_its_api_twin(
    db: Path, tmp_path: Path, size: str
) -> None:
    price = "3.0000000000000000005"  # the price is rounded on both paths too
    trading = write_csv(
        tmp_path / "trading.csv",
        TRADING_HEADER,
        [("2025-03-01 10:00:00", size, "1", price, "BUY", "BTC_USDT", "0", "USDT", "Spot", "s1")],
    )
    assert cli("--db", db, "import", trading).exit_code == 0
    assert query(db, "SELECT base_amount, price FROM transactions") == [
        (half_away(size), half_away(price))
    ]
    fill = {
        "symbol": "BTC_USDT",
        "id": "1",
        "orderId": "9",
        "role": "TAKER",
        "side": "BUY",
        "price": price,
        "size": size,
        "fee": "0",
        "feeCoin": "USDT",
        "timestamp": 1740823200000,  # 2025-03-01 10:00:00 UTC
    }
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO api_records (account, kind, record_key, symbol, record_time_ms, endpoint, "
            "params, record, fetched_at, run_id) VALUES ('default', 'fill', '1:9:TAKER', "
            "'BTC_USDT', 1740823200000, '/api/v1/trade/fills', '{}', ?, TIMESTAMP '2025-03-02', 1)",
            [json.dumps(fill)],
        )
    assert cli("--db", db, "rebuild").exit_code == 0
    # One event: the API fill books it, its export twin is left out.
    assert query(db, "SELECT source, base_amount FROM transactions WHERE kind = 'trade'") == [
        ("api", half_away(size))
    ]


def test_a_negative_tie_rounds_away_from_zero_and_is_flagged(db: Path, tmp_path: Path) -> None:
    others = write_csv(
        tmp_path / "others.csv",
        OTHERS_HEADER,
        [("2026-02-20 17:00:01", "USDT", "-0.0000000000000000025", "FundingFee", "X_USDT_PERP")],
    )
    assert cli("--db", db, "import", others).exit_code == 0
    assert cli("--db", db, "rebuild").exit_code == 0  # the rebuild path types the same way
    ((amount, reason),) = query(db, "SELECT amount, review_reason FROM ledger JOIN transactions "
                                "USING (txn_id)")  # fmt: skip
    assert amount == Decimal("-0.000000000000000003")
    assert "more than 18 decimals" in reason


def _import_buy(db: Path, tmp_path: Path, quantity: str):  # type: ignore[no-untyped-def]
    """Import a trading.csv of one BUY of `quantity` BTC at 1 USDT, written as given."""
    trading = write_csv(
        tmp_path / "trading.csv",
        TRADING_HEADER,
        [("2025-03-01 10:00:00", quantity, "1", "1", "BUY", "BTC_USDT", "0", "USDT", "Spot", "s1")],
    )
    return cli("--db", db, "import", trading)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1E-20", Decimal(0)),  # a spreadsheet's notation for 0.00000000000000000001
        ("2.5E+3", Decimal(2500)),
        ("1.23457E-05", Decimal("0.0000123457")),  # what Excel's General format leaves of more
    ],
)
def test_a_number_in_scientific_notation_is_stored_and_flagged(
    db: Path, tmp_path: Path, written: str, stored: Decimal
) -> None:
    """Pionex writes plain decimals; scientific notation is a spreadsheet's re-save, which keeps
    about 11 significant digits (and 1E-20 is below the ledger's 18 places). The row is booked
    as written and flagged, never silently rounded to what the file does not say."""
    result = _import_buy(db, tmp_path, written)
    assert result.exit_code == 0, result.output
    ((amount, review, reason),) = query(
        db, "SELECT base_amount, needs_review, review_reason FROM transactions"
    )
    assert amount == stored
    assert review and "scientific notation" in reason, reason


@pytest.mark.parametrize(
    "written",
    [
        "99999999999999999999.9999999999999999995",  # rounds to 10^20: past the ledger's column
        "1.123456789012345678\u0660",  # an Arabic-Indic zero where the 19th digit would be
    ],
)
def test_a_long_decimal_that_is_no_storable_number_is_refused_by_name(
    db: Path, tmp_path: Path, written: str
) -> None:
    """The rounding path cuts cells by position: a cell it cannot store (or that is not a plain
    decimal of ASCII digits) is refused, naming it, never stored rounded or an internal error."""
    result = _import_buy(db, tmp_path, written)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    assert "line 2" in result.stderr and written in result.stderr, result.stderr
    assert not db.exists() or not query(db, "SELECT * FROM transactions")  # nothing half-written


def _flags_by_line(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT line_no, base_amount, quote_amount, fee_amount, coalesce(review_reason, '') "
        "FROM transactions ORDER BY line_no",
    )


def _fill(qty: str = "1", amount: str = "1", fee: str = "0.001") -> tuple[str, ...]:
    return ("2025-03-01 10:00:00", qty, amount, "1", "BUY", "BTC_USDT", fee, "USDT", "Spot", "s1")


def test_only_the_cells_past_18_places_are_flagged_in_a_column_of_short_ones(
    db: Path, tmp_path: Path
) -> None:
    """Columns are pre-checked before their cells are searched: a long cell among short ones
    (and among 20-place cells whose extra places are zeros, as Pionex writes amounts) is still
    flagged, on its own row only, on import and again on rebuild."""
    rows = [
        _fill("1", "3.00000000000000000000"),
        _fill("2.5", "3.00000000000000000000"),
        _fill("0.12345678901234567851", "3.00000000000000000000"),  # line 4: qty rounded up
        _fill("4", "3.00000000000000000000"),
        _fill("5", "3.00000000000000000010"),  # line 6: a 19th place behind a zero
        _fill("6", fee=".0000000000000000005"),  # line 7: the shortest such cell (20 characters)
    ]
    trading = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    assert cli("--db", db, "import", trading).exit_code == 0
    flagged = "a number has more than 18 decimals"
    for _ in ("import", "rebuild"):
        got = _flags_by_line(db)
        assert [line for line, *_, reason in got if flagged in reason] == [4, 6, 7], got
        quantities = [Decimal(1), Decimal("2.5"), half_away("0.12345678901234567851"), 4, 5, 6]
        assert [qty for _, qty, *_ in got] == quantities
        assert [quote for _, _, quote, *_ in got] == [Decimal(3)] * 5 + [Decimal(1)]
        assert [fee for *_, fee, _ in got] == [Decimal("0.001")] * 5 + [EIGHTEEN]
        assert cli("--db", db, "rebuild").exit_code == 0


@pytest.mark.parametrize("written", ["1e-3", "1.5E-3"])
def test_a_scientific_cell_among_plain_ones_is_flagged_on_its_row_only(
    db: Path, tmp_path: Path, written: str
) -> None:
    """A column is searched for an exponent's letter as a whole first; the one cell holding it
    (here a fee, on the last line) is flagged, the plain cells around it are not."""
    rows = [_fill(), _fill("2"), _fill("3", fee=written)]
    trading = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    assert cli("--db", db, "import", trading).exit_code == 0
    for _ in ("import", "rebuild"):
        got = _flags_by_line(db)
        assert [line for line, *_, reason in got if "scientific notation" in reason] == [4], got
        assert [fee for *_, fee, _ in got] == [Decimal("0.001")] * 2 + [Decimal(written)]
        assert all("more than 18 decimals" not in reason for *_, reason in got)
        assert cli("--db", db, "rebuild").exit_code == 0


def test_places_past_18_that_are_zeros_are_stored_exactly_and_not_flagged(
    db: Path, tmp_path: Path
) -> None:
    """A column whose every cell has zeros past the 18th place (Pionex writes amounts with 20
    places) is cast as written, without the rounding path: exact, all 38 digits, and never
    flagged as rounded, on import and again on rebuild."""
    big = "12345678901234567890.12345678901234567800"
    rows = [_fill(big, "0.00000000000000000100"), _fill("-0.50000000000000000000", "2.0")]
    trading = write_csv(tmp_path / "trading.csv", TRADING_HEADER, rows)
    result = cli("--db", db, "import", trading)
    assert result.exit_code == 0, result.output
    for _ in ("import", "rebuild"):
        got = _flags_by_line(db)
        assert [(qty, quote) for _, qty, quote, *_ in got] == [
            (Decimal(big), EIGHTEEN),
            (Decimal("-0.5"), Decimal(2)),
        ]
        assert all("more than 18 decimals" not in reason for *_, reason in got), got
        assert cli("--db", db, "rebuild").exit_code == 0


def test_the_largest_amount_the_ledger_holds_is_stored_not_an_internal_error(
    db: Path, tmp_path: Path
) -> None:
    """The milli-coin check divides every amount by 1000 (of any coin): compared in DECIMAL(38,21)
    with its rounding, an amount within 0.0005 of 10^20 rounded to 10^17, which that type cannot
    hold, and the import died with an internal error."""
    largest = "99999999999999999999.999999999999999999"
    result = _import_buy(db, tmp_path, largest)
    assert result.exit_code == 0, result.stderr
    assert query(db, "SELECT base_amount FROM transactions") == [(Decimal(largest),)]
