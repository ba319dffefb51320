"""Huge and tiny values (issue 15, defect 2): what the ledger cannot hold exactly is refused with
file, line, column and value, or kept and flagged; never "internal error ... transaction is
aborted". The limits: an amount has at most 20 integer digits (DECIMAL(38,18)); a derived amount
of 10^20 or more is not stored and flagged; one coin's movements total less than 10^20
(exporter/normalize/holding_limits.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.conftest_api import api_fill, fresh_db, land_api_fills
from tests.helpers import OTHERS_HEADER, cli, query, table_counts, write_csv
from tests.reliability.corpus import TRADING_V2024_HEADER


def _v2024(amount: str, price: str, symbol: str = "SOL_USDT") -> tuple[str, ...]:
    return ("2024-11-30 00:04:25", amount, price, "LIMIT", "BUY", symbol, "FILLED", "0.002", "")


def _booked(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT line_no, base_amount, quote_amount, price, needs_review, review_reason "
        "FROM transactions ORDER BY line_no",
    )


def test_a_2024_quotient_of_10_to_the_20_is_flagged_not_a_crash(db: Path, tmp_path: Path) -> None:
    # 10^6 / 10^-14 = 10^20 exactly: one more than DECIMAL(38,18) holds. 99999999999999999999 / 1
    # = 10^20 - 1: the largest quotient that fits, stored exactly.
    rows = [
        _v2024("1000000", "0.00000000000001"),
        _v2024("99999999999999999999", "1", "SOL_USDC"),  # USDT could not hold both
        _v2024("1", "1000000000000000"),  # 10^15: beyond the long division's divisor range
    ]
    path = write_csv(tmp_path / "trading.csv", TRADING_V2024_HEADER, rows)
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    huge, largest, big_price = _booked(db)
    assert huge[1] is None and huge[2] == Decimal("1000000") and huge[4]
    assert "10^20 or more" in huge[5] and "base side not booked" in huge[5]
    assert largest[1] == Decimal("99999999999999999999") and not largest[4]
    assert big_price[1] is None and big_price[4] and "10^14" in big_price[5]
    # The quote side of the flagged trade is in the ledger, the base side is not.
    legs = query(
        db, "SELECT asset, amount FROM ledger WHERE leg IN ('base', 'quote') ORDER BY 1, 2"
    )
    assert ("SOL", Decimal("99999999999999999999")) in legs
    assert ("USDT", Decimal("-1000000")) in legs


def test_a_milli_coin_price_that_overflows_when_scaled_is_flagged(db: Path, tmp_path: Path) -> None:
    # MBTC prices are x 1000 in BTC: 10^18 x 1000 = 10^21 cannot be stored.
    path = write_csv(
        tmp_path / "trading.csv",
        TRADING_V2024_HEADER,
        [_v2024("10", "1000000000000000000", "MBTC_USDT")],
    )
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    ((_, _, quote, price, review, reason),) = _booked(db)
    assert review and price is None and quote == Decimal("10")
    assert "10^" in reason


def test_an_amount_beyond_20_integer_digits_is_refused(db: Path, tmp_path: Path) -> None:
    row = ("2025-01-02 00:00:00", "USDT", "100000000000000000000", "CommissionIn", "")
    path = write_csv(tmp_path / "others.csv", OTHERS_HEADER, [row])
    result = cli("--db", db, "import", path)
    assert result.exit_code == 1
    for fragment in ("line 2", "column 'amount'", "100000000000000000000", "20 integer digits"):
        assert fragment in result.stderr, result.stderr


def _commission(day: int, amount: str) -> tuple[str, ...]:
    return (f"2025-01-{day:02d} 00:00:00", "USDT", amount, "CommissionIn", "")


def test_a_balance_past_10_to_the_20_is_refused_and_changes_nothing(
    db: Path, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "a" / "others.csv", OTHERS_HEADER, [_commission(2, "6" + "0" * 19)]
    )
    assert cli("--db", db, "import", first).exit_code == 0
    before = table_counts(db), query(db, "SELECT * FROM transactions ORDER BY txn_id")
    # Each value fits; their sum (1.2 x 10^20) does not: SUM(DECIMAL(38,18)) would overflow.
    second = write_csv(
        tmp_path / "b" / "others.csv",
        OTHERS_HEADER,
        [_commission(3, "1"), _commission(4, "6" + "0" * 19)],
    )
    result = cli("--db", db, "import", second)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    for fragment in (str(second), "line 3", "column 'amount'", "60000000000000000000", "10^20"):
        assert fragment in result.stderr, result.stderr
    assert (table_counts(db), query(db, "SELECT * FROM transactions ORDER BY txn_id")) == before
    # The views every report reads still answer.
    assert query(db, "SELECT amount FROM balances") == [(Decimal("6" + "0" * 19),)]
    status = cli("--db", db, "status")
    assert status.exit_code == 0, status.output


def test_a_balance_just_below_10_to_the_20_is_exact(db: Path, tmp_path: Path) -> None:
    rows = [_commission(2, "99999999999999999999"), _commission(3, "0.999999999999999999")]
    path = write_csv(tmp_path / "others.csv", OTHERS_HEADER, rows)
    result = cli("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT amount FROM balances") == [
        (Decimal("99999999999999999999.999999999999999999"),)
    ]


def test_an_api_fill_worth_10_to_the_14_or_more_is_exact_and_beyond_10_to_the_20_flagged(
    tmp_path: Path,
) -> None:
    db = fresh_db(tmp_path)
    land_api_fills(
        db,
        [
            # 10^8 x 10^7 = 10^15: the old DECIMAL(38,14) x (38,10) product overflowed at 10^14
            # and aborted every rebuild.
            api_fill(1, "100000000.00000000000001", "10000000.0000000001"),
            # 10^12 x 10^9 = 10^21: cannot be stored.
            api_fill(2, "1000000000000", "1000000000"),
            api_fill(3, "94250.5", "0.01"),
        ],
    )
    result = cli("--db", db, "rebuild")
    assert result.exit_code == 0, result.output
    rows = query(
        db,
        "SELECT split_part(api_ref, ':', 2), quote_amount, needs_review, review_reason "
        "FROM transactions ORDER BY 1",
    )
    big, huge, plain = rows
    # (10^8 + 10^-14)(10^7 + 10^-10) = 10^15 + 0.01 + 10^-7 + 10^-24: rounded at 18 decimals.
    assert big[1] == Decimal("1000000000000000.010000100000000000")
    assert not big[2]
    assert huge[1] is None and huge[2] and "10^20 or more" in huge[3]
    assert plain[1] == Decimal("942.505") and not plain[2]


def test_api_values_beyond_the_ledger_are_flagged_never_silently_dropped(tmp_path: Path) -> None:
    db = fresh_db(tmp_path)
    land_api_fills(
        db,
        [
            api_fill(1, "1", "100000000000000000000"),  # 21 integer digits
            api_fill(2, "1", "1") | {"fee": "100000000000000000000", "feeCoin": "USDT"},
            # A fee of 10^-20 would be stored as 0.
            api_fill(3, "1", "1") | {"fee": "0.00000000000000000001", "feeCoin": "USDT"},
            api_fill(4, "1", "1") | {"fee": "0.01", "feeCoin": "USDT"},
        ],
    )
    result = cli("--db", db, "rebuild")
    assert result.exit_code == 0, result.output
    rows = query(
        db,
        "SELECT split_part(api_ref, ':', 2), base_amount, fee_amount, needs_review, review_reason "
        "FROM transactions ORDER BY 1",
    )
    size, fee, tiny, plain = rows
    assert size[1] is None and size[3] and "20 integer digits" in size[4]
    assert fee[2] is None and fee[3] and "fee is not a number" in fee[4]
    assert tiny[2] == 0 and tiny[3] and "more than 18 decimals" in tiny[4]
    assert plain[1:] == (Decimal(1), Decimal("0.01"), False, None)
