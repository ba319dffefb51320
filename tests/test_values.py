"""transaction_values: trades against USDT/USDC at their own price, everything else at the day's
close, exact DECIMAL products, and coins without market data left unvalued and named in `status`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path

import duckdb
import pytest

from exporter.simulator import start
from tests.conftest_api import sim_config
from tests.helpers import cli, query
from tests.reports_data import deposit, export_folder, import_all, trade, utc_today

TEN = Decimal("0.0000000001")


def _ago(n: int) -> dt.date:
    return utc_today() - dt.timedelta(days=n)


@pytest.fixture(scope="module")
def valued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("values")
    db = root / "p.duckdb"
    folder = export_folder(
        root,
        _ago(510).isoformat(),
        utc_today().isoformat(),
        deposits=[
            deposit(f"{_ago(505)} 10:00:00", "2", "BTC"),
            deposit(f"{_ago(40)} 08:00:00", "1000", "ZZZNEVER"),
            deposit(f"{_ago(30)} 08:00:00", "10000000000000000000.123456789012345678", "BIG"),
            deposit(f"{utc_today()} 00:00:01", "1", "ETH"),
        ],
        trades=[
            trade(f"{_ago(3)} 12:00:00", "BUY", "ETH_BTC", "10", "0.05", "0.5", "0.01", "ETH"),
            trade(
                f"{_ago(2)} 12:00:00", "BUY", "BTC_USDT", "0.1", "50000.5", "5000.05", "5", "USDT"
            ),
        ],
    )
    import_all(db, folder)
    with start(sim_config()) as sim:
        assert cli("--db", db, "prices", "--base-url", sim.base_url).exit_code == 0
        closes = {
            (s, n): sim.sim.klines.close(s, _ago(n))
            for s, n in (("BTC_USDT", 505), ("ETH_USDT", 3))
        }
    with duckdb.connect(str(db)) as con:  # a coin worth the most a close can hold
        con.execute(
            "INSERT INTO prices VALUES ('BIG', ?, 99999999.9999999999, 'BIG_USDT', 'test', now())",
            [_ago(30)],
        )
    return db, closes


def _values(db: Path) -> dict[tuple[str, str], tuple]:
    rows = query(
        db,
        """SELECT t.kind, t.base_asset, v.value_usd, v.value_basis, v.fee_value_usd,
                               v.unvalued_reason, t.occurred_at
                        FROM transaction_values v JOIN transactions t USING (account, txn_id)""",
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def test_each_transaction_gets_its_value_by_the_documented_rule(valued) -> None:  # type: ignore[no-untyped-def]
    db, closes = valued
    values = _values(db)
    btc = closes[("BTC_USDT", 505)]
    assert values[("deposit", "BTC")][:2] == (2 * btc, "daily_close")
    eth = closes[("ETH_USDT", 3)]
    assert values[("trade", "ETH")][:3] == (10 * eth, "daily_close", Decimal("0.01") * eth)
    # Against USDT: the trade's own amount, to the cent, and the USDT fee at USD 1.
    assert values[("trade", "BTC")][:3] == (Decimal("5000.05"), "trade_price", Decimal(5))


def test_the_product_is_exact_and_cannot_overflow(valued) -> None:  # type: ignore[no-untyped-def]
    db, _ = valued
    wide = Context(prec=60)
    exact = wide.multiply(
        Decimal("10000000000000000000.123456789012345678"), Decimal("99999999.9999999999")
    )
    assert _values(db)[("deposit", "BIG")][0] == exact.quantize(
        TEN, rounding=ROUND_HALF_UP, context=wide
    )


def test_coins_without_market_data_stay_unvalued_and_status_names_them(valued) -> None:  # type: ignore[no-untyped-def]
    db, _ = valued
    values = _values(db)
    assert values[("deposit", "ZZZNEVER")][0] is None
    assert values[("deposit", "ZZZNEVER")][3] == "no market data for ZZZNEVER"
    assert values[("deposit", "ETH")][0] is None  # today: its close does not exist yet
    assert values[("deposit", "ETH")][3] == "the day is not finished: no close yet"
    status = cli("--db", db, "status", "--json")
    listed = {(u["asset"], u["reason"]) for u in json.loads(status.stdout)["unvalued"]}
    assert listed == {
        ("ZZZNEVER", "no market data for ZZZNEVER"),
        ("ETH", "the day is not finished: no close yet"),
    }
    text = cli("--db", db, "status").stdout
    assert "ZZZNEVER: 1 row(s), no market data for ZZZNEVER" in text
    assert "1 ZZZNEVER transaction(s) have no USD value" in text


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("fmt", "amount", "currency", "received", "sent"),
    [
        ("koinly", "Net Worth Amount", "Net Worth Currency", "Received Currency", "Sent Currency"),
        ("turbotax", "Market Value", "Market Value Currency", "Received Asset", "Sent Asset"),
    ],
)
def test_koinly_and_turbotax_carry_the_value_in_cents_and_leave_unvalued_rows_blank(
    valued, tmp_path: Path, fmt: str, amount: str, currency: str, received: str, sent: str
) -> None:  # type: ignore[no-untyped-def]
    db, closes = valued
    out = tmp_path / f"{fmt}.csv"
    assert cli("--db", db, "export", fmt, "-o", out).exit_code == 0
    rows = {
        (r[received], r[sent], r["Date"][:10]): (r[amount] and Decimal(r[amount]), r[currency])
        for r in _csv_rows(out)
    }
    cents = Decimal("0.01")
    eth = (10 * closes[("ETH_USDT", 3)]).quantize(cents, rounding=ROUND_HALF_UP)
    btc = (2 * closes[("BTC_USDT", 505)]).quantize(cents, rounding=ROUND_HALF_UP)
    day = lambda n: _ago(n).isoformat()  # noqa: E731
    assert rows[("BTC", "", day(505))] == (btc, "USD")
    assert rows[("ETH", "BTC", day(3))] == (eth, "USD")
    assert rows[("BTC", "USDT", day(2))] == (Decimal("5000.05"), "USD")
    assert rows[("ZZZNEVER", "", day(40))] == ("", "")
    assert rows[("ETH", "", day(0))] == ("", "")


def test_the_workbook_shows_each_value_and_values_the_holdings_in_the_summary(
    valued, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    db, closes = valued
    out = tmp_path / "w.xlsx"
    assert cli("--db", db, "export", "xlsx", "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["Transactions"].iter_rows(values_only=True))
    header = rows[0]
    col = {name: header.index(name) for name in ("Symbol", "Value (USD)", "Value (USD, exact)")}
    by_symbol = {r[col["Symbol"]]: r for r in rows[1:] if r[col["Symbol"]]}
    eth = 10 * closes[("ETH_USDT", 3)]
    assert Decimal(by_symbol["ETH_BTC"][col["Value (USD, exact)"]]) == eth
    assert by_symbol["ETH_BTC"][col["Value (USD)"]] == pytest.approx(float(eth))
    assert by_symbol["BTC_USDT"][col["Value (USD, exact)"]] == "5000.05"
    summary = list(book["Summary"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(summary) if r[:1] == ("Asset",))
    at = {
        name: summary[head].index(name)
        for name in ("Net (exact, all digits)", "Net value (USD)", "Close of (UTC day)")
    }
    per_asset = {r[0]: r for r in summary[head + 1 :] if r[0]}
    # BTC still held: its net at yesterday's close, which `prices` fetched for that reason.
    net = Decimal(per_asset["BTC"][at["Net (exact, all digits)"]])
    yesterday = query(
        db, "SELECT close FROM prices WHERE asset = 'BTC' AND day = current_date - 1"
    )[0][0]
    assert per_asset["BTC"][at["Net value (USD)"]] == pytest.approx(float(net * yesterday))
    assert per_asset["BTC"][at["Close of (UTC day)"]].date() == _ago(1)
    assert per_asset["ZZZNEVER"][at["Net value (USD)"]] is None  # no market: never a guess
    assert any("counted as exactly USD 1" in str(r[0]) for r in summary)
