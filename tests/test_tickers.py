"""A malformed coin is no new asset (issue 15, defect 7): a coin or symbol cell that is not a
ticker is refused with file, line, column and value; an implausible asset that reaches the ledger
another way (an API reply) is booked as it says and flagged, never unseen.

The pattern is sources/tickers.py's; real coins of every shape Pionex lists must still import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exporter.sources.tickers import MAX_TICKER_CHARS, TICKER_PATTERN
from tests.conftest_api import api_fill, fresh_db, land_api_fills
from tests.helpers import (
    DW_HEADER,
    OTHERS_HEADER,
    TRADING_HEADER,
    cli,
    query,
    table_counts,
    write_csv,
)


def _trade(symbol: str, fee_coin: str = "USDT") -> tuple[str, ...]:
    return ("2025-01-03 10:00:01", "1", "2", "2", "BUY", symbol, "0.01", fee_coin, "Spot", "s")


def _other(coin: str) -> tuple[str, ...]:
    return ("2025-01-04 08:00:00", coin, "0.5", "CommissionIn", "")


def test_coins_of_every_real_shape_import_unflagged(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    symbols = ["1INCH_USDT", "BABYDOGE_USDT", "1000SATS_USDT", "GRIFFAIN_USDT", "btc_usdt"]
    write_csv(folder / "trading.csv", TRADING_HEADER, [_trade(s) for s in symbols])
    write_csv(folder / "others.csv", OTHERS_HEADER, [_other("USDT"), _other("T")])
    deposit = ("2022-05-01 00:00:00", "DEPOSIT", "10", "BUSDBEP20", "BEP20", "0xabc", "0")
    write_csv(folder / "deposit-withdraw.csv", DW_HEADER, [deposit])
    result = cli("--db", db, "import", folder)
    assert result.exit_code == 0, result.output
    assets = {a for (a,) in query(db, "SELECT DISTINCT asset FROM ledger")}
    assert assets == {"1INCH", "BABYDOGE", "1000SATS", "GRIFFAIN", "BTC", "USDT", "T", "BUSD"}
    assert query(db, "SELECT count(*) FROM transactions WHERE needs_review") == [(0,)]
    assert all(re.fullmatch(TICKER_PATTERN, a) and len(a) <= MAX_TICKER_CHARS for a in assets)


@pytest.mark.parametrize(
    ("name", "header", "row", "column", "value"),
    [
        ("others.csv", OTHERS_HEADER, _other("2025-13-01 00:00:00"), "coin", "2025-13-01 00:00:00"),
        ("others.csv", OTHERS_HEADER, _other('USDT"'), "coin", 'USDT"'),
        ("others.csv", OTHERS_HEADER, _other("0.5"), "coin", "0.5"),
        ("others.csv", OTHERS_HEADER, _other("X" * 21), "coin", "X" * 21),
        ("trading.csv", TRADING_HEADER, _trade("ETH_USDT'"), "symbol", "ETH_USDT'"),
        ("trading.csv", TRADING_HEADER, _trade("ETH USDT"), "symbol", "ETH USDT"),
        ("trading.csv", TRADING_HEADER, _trade("ETH__USDT"), "symbol", "ETH__USDT"),
        ("trading.csv", TRADING_HEADER, _trade("ETH_USDT", "US-DT"), "fee_coin", "US-DT"),
    ],
)
def test_a_cell_that_is_no_ticker_is_refused_and_changes_nothing(
    name: str,
    header: tuple[str, ...],
    row: tuple[str, ...],
    column: str,
    value: str,
    db: Path,
    sample_zip: Path,
    tmp_path: Path,
) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    before = table_counts(db), query(db, "SELECT * FROM transactions ORDER BY txn_id")
    path = write_csv(tmp_path / name, header, [row])
    result = cli("--db", db, "import", path)
    assert result.exit_code == 1, result.output
    for fragment in (str(path), "line 2", f"column {column!r}", repr(value), "expected a"):
        assert fragment in result.stderr, result.stderr
    assert (table_counts(db), query(db, "SELECT * FROM transactions ORDER BY txn_id")) == before


def test_an_api_fill_naming_no_ticker_is_booked_and_flagged(tmp_path: Path) -> None:
    db = fresh_db(tmp_path)
    land_api_fills(
        db, [api_fill(1, "2", "1", symbol='ETH_USDT"'), api_fill(2, "2", "1", symbol="ETH_USDT")]
    )
    result = cli("--db", db, "rebuild")
    assert result.exit_code == 0, result.output
    rows = query(
        db,
        "SELECT quote_asset, needs_review, review_reason FROM transactions ORDER BY api_ref",
    )
    assert rows[0][0] == 'USDT"' and rows[0][1]
    assert 'asset USDT" is not a plausible coin ticker' in rows[0][2]
    assert rows[1] == ("USDT", False, None)
