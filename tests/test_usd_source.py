"""The USD source for USDT (issue 21): USD 1 until the user gives daily USDT/USD closes
(`prices --usd-csv FILE`); then every value in USDT is converted at that day's close, USDC stays
USD 1, a day the series lacks is unvalued and named, and the workbook and `status` name the file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from exporter.simulator import start
from tests.conftest_api import sim_config
from tests.helpers import cli, query
from tests.reports_data import deposit, export_folder, import_all, trade, utc_today

TEN = Decimal("0.0000000001")
# USD per USDT on the two days the file covers; the ETH trade's day is left out on purpose.
RATE_BTC_DAY = Decimal("0.9990000001")
RATE_TRADE_DAY = Decimal("1.0002")


def _ago(n: int) -> dt.date:
    return utc_today() - dt.timedelta(days=n)


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Decimal, Path]:
    root = tmp_path_factory.mktemp("usd-source")
    db = root / "p.duckdb"
    folder = export_folder(
        root, _ago(30).isoformat(), _ago(1).isoformat(),
        deposits=[deposit(f"{_ago(20)} 10:00:00", "2", "BTC"),
                  deposit(f"{_ago(10)} 09:00:00", "100", "USDC"),
                  deposit(f"{_ago(10)} 09:30:00", "10000", "USDT")],
        trades=[trade(f"{_ago(10)} 12:00:00", "BUY", "BTC_USDT", "0.1", "50000.5", "5000.05", "5", "USDT"),
                trade(f"{_ago(5)} 12:00:00", "BUY", "ETH_USDT", "1", "3000", "3000", "1.5", "USDT")],
    )  # fmt: skip
    import_all(db, folder)
    with start(sim_config()) as sim:
        assert cli("--db", db, "prices", "--base-url", sim.base_url).exit_code == 0
        btc_close = sim.sim.klines.close("BTC_USDT", _ago(20))
    series = root / "usdt-usd.csv"
    series.write_text(
        f"date,close,note\n{_ago(20)},{RATE_BTC_DAY},vendor\n{_ago(10)},{RATE_TRADE_DAY},\n",
        encoding="utf-8",
    )
    return db, btc_close, series


def _values(db: Path) -> dict[tuple[str, str], tuple]:
    rows = query(
        db,
        """SELECT t.kind, t.base_asset, v.value_usd, v.fee_value_usd, v.unvalued_reason
                        FROM transaction_values v JOIN transactions t USING (account, txn_id)""",
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def test_without_a_source_usdt_is_usd_1_and_with_one_every_usdt_value_is_converted(priced) -> None:  # type: ignore[no-untyped-def]
    db, btc_close, series = priced
    before = _values(db)
    assert before[("trade", "BTC")][:2] == (Decimal("5000.05"), Decimal(5))  # USD 1
    assert before[("deposit", "BTC")][0] == 2 * btc_close

    loaded = cli("--db", db, "prices", "--usd-csv", series)
    assert loaded.exit_code == 0, loaded.output
    assert "2 daily USDT/USD close(s) from usdt-usd.csv" in loaded.stdout
    assert query(db, "SELECT DISTINCT source FROM usdt_usd") == [("usdt-usd.csv",)]
    after = _values(db)
    # a trade against USDT: its own amount, in USD at that day's close of the series (exact)
    assert after[("trade", "BTC")][:2] == (Decimal("5000.05") * RATE_TRADE_DAY, 5 * RATE_TRADE_DAY)
    # a daily close (in USDT) converted too, to 1e-10 USD, half away from zero
    expected = (2 * btc_close * RATE_BTC_DAY).quantize(TEN, rounding=ROUND_HALF_UP)
    assert after[("deposit", "BTC")][0] == expected
    assert after[("deposit", "USDT")][0] == 10000 * RATE_TRADE_DAY
    assert after[("deposit", "USDC")][0] == 100  # USDC is still counted as USD 1
    # the series has no close for the ETH trade's day: unvalued, and the reason says why
    value, fee, reason = after[("trade", "ETH")]
    assert value is None and fee is None
    assert reason.startswith(f"no USDT/USD close for {_ago(5)} in the USD source")
    listed = json.loads(cli("--db", db, "status", "--json").stdout)["unvalued"]
    assert [u["asset"] for u in listed] == ["ETH"]
    assert "usdt-usd.csv" in cli("--db", db, "status").stdout
    # rp2's unit prices follow: USD per BTC on the trade's day = its own price x the rate
    unit = query(db, "SELECT unit_usd FROM ledger_values WHERE asset = 'BTC' AND kind = 'trade'")
    assert unit == [(Decimal("50000.5") * RATE_TRADE_DAY,)]

    back = cli("--db", db, "prices", "--usd-one")
    assert back.exit_code == 0 and "USD 1" in back.stdout
    assert _values(db) == before


def test_the_workbook_says_which_usd_source_its_values_use(priced, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, _close, series = priced
    plain = tmp_path / "plain.xlsx"
    assert cli("--db", db, "export", "xlsx", "-o", plain).exit_code == 0
    assert cli("--db", db, "prices", "--usd-csv", series).exit_code == 0
    try:
        out = tmp_path / "w.xlsx"
        assert cli("--db", db, "export", "xlsx", "-o", out).exit_code == 0
        notes = _summary_text(out)
        assert "USDT valued at its daily USD close from usdt-usd.csv" in notes
        assert "USDT and USDC counted as exactly USD 1" not in notes
        assert "counted as exactly USD 1" in _summary_text(plain)
        # the held USDT's Net value: its net at the last close of the series in the period
        book = openpyxl.load_workbook(out)
        rows = list(book["Summary"].iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if r[:1] == ("Asset",))
        col = {name: rows[head].index(name) for name in rows[head] if name}
        usdt = next(r for r in rows[head + 1 :] if r[0] == "USDT")
        net = Decimal(usdt[col["Net (exact, all digits)"]])
        assert usdt[col["Net value (USD)"]] == pytest.approx(float(net * RATE_TRADE_DAY))
        assert usdt[col["Close of (UTC day)"]].date() == _ago(10)
        usdc = next(r for r in rows[head + 1 :] if r[0] == "USDC")
        assert usdc[col["Net value (USD)"]] == 100
    finally:
        assert cli("--db", db, "prices", "--usd-one").exit_code == 0


def _summary_text(path: Path) -> str:
    sheet = openpyxl.load_workbook(path)["Summary"]
    return "\n".join(str(r[0]) for r in sheet.iter_rows(values_only=True) if r[0])


@pytest.mark.parametrize(("body", "line", "column", "value"), [
    ("date,close\n2025-01-02,1.0001\n2025-01-03,abc\n", 3, "close", "abc"),
    ("date,close\n2025-01-02,1.0001\n2025-1-3,1\n", 3, "date", "2025-1-3"),
    ("date,close\n2025-01-02,0.99999999999\n", 2, "close", "0.99999999999"),
    ("date,close\n2025-01-02,1\n2025-01-02,1.1\n", 3, "date", "2025-01-02"),
    ("day,usd\n2025-01-02,1\n", 1, None, "day,usd"),
])  # fmt: skip
def test_a_bad_series_is_refused_naming_file_line_column_and_value_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    priced, tmp_path: Path, body: str, line: int, column: str | None, value: str
) -> None:
    db, _close, _series = priced
    bad = tmp_path / "rates.csv"
    bad.write_text(body, encoding="utf-8")
    result = cli("--db", db, "prices", "--usd-csv", bad)
    assert result.exit_code == 1, result.output
    assert f"{bad}, line {line}" in result.stderr and repr(value) in result.stderr
    if column:
        assert f"column {column!r}" in result.stderr
    assert "expected" in result.stderr and "Traceback" not in result.output
    assert query(db, "SELECT count(*) FROM usdt_usd") == [(0,)]


def test_the_series_is_stored_exactly_and_a_later_file_replaces_its_days(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("date,close\n2025-01-02,0.9999999999\n2025-01-03,1\n", encoding="utf-8")
    second.write_text("close,date\n1.0003,2025-01-03\n", encoding="utf-8")
    assert cli("--db", db, "prices", "--usd-csv", first).exit_code == 0
    again = cli("--db", db, "prices", "--usd-csv", second)
    assert again.exit_code == 0 and "1 of them replacing days stored before" in again.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT day, close, source FROM usdt_usd ORDER BY day").fetchall()
    assert rows == [(dt.date(2025, 1, 2), Decimal("0.9999999999"), "a.csv"),
                    (dt.date(2025, 1, 3), Decimal("1.0003"), "b.csv")]  # fmt: skip
