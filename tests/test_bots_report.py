"""`bots`: each bot's totals from the API next to the export trades of its pair over its lifetime,
naming the bots whose trades are missing from the exports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from exporter.app.fetching import fetch_to_db
from exporter.simulator import start
from tests.conftest_api import FAST_RATE, credentials_for, sim_config
from tests.helpers import cli
from tests.reports_data import day_of_ms, export_folder, import_all, ms, trade, utc_today

EXPORT_FIRST, EXPORT_LAST = dt.date(2025, 7, 1), dt.date(2025, 8, 31)


def expected_unexported(created: dt.date, closed: dt.date) -> list[dict[str, str]]:
    """Lifetime days outside the one export, written out by hand."""
    out = []
    if created < EXPORT_FIRST:
        out.append((created, min(closed, EXPORT_FIRST - dt.timedelta(days=1))))
    if closed > EXPORT_LAST:
        out.append((max(created, EXPORT_LAST + dt.timedelta(days=1)), closed))
    return [{"from": a.isoformat(), "to": b.isoformat()} for a, b in out]


def _plain(value: str | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def expected_figures(bot: dict) -> dict:
    """Each figure from the spec's own field for the bot's type, written out by hand
    (openapi_bot.yaml: SpotGridOrderData, FuturesGridOrderData, SmartCopyOrderData)."""
    data, base, quote = bot["buOrderData"], bot["base"], bot["quote"]
    fees: dict[str, Decimal] = {}

    def fee(coin: str, value: str) -> None:
        if Decimal(value):
            fees[coin] = fees.get(coin, Decimal(0)) + Decimal(value)

    if bot["buOrderType"] == "spot_grid":
        figures = {
            "investment": data["quoteTotalInvestment"],
            "profit": data["realizedProfit"],
            "grid_profit": data["gridProfit"],
            "profit_withdrawn": data["profitWithdrawn"],
            "profit_exited": None,
            "funding_fee": None,
        }
        fee(quote, data["totalFeeInQuote"])
        fee(base, data["totalFeeInBase"])
    elif bot["buOrderType"] == "futures_grid":  # no total-profit field in the spec
        figures = {
            "investment": data["quoteInvestment"],
            "profit": None,
            "grid_profit": None,
            "profit_withdrawn": data["profitWithdrawn"],
            "profit_exited": data["profitExited"],
            "funding_fee": data["fundingFeePayment"],
        }
        fee(quote, data["liquidationFee"])
    else:
        figures = {
            "investment": data["quoteTotalInvestment"],
            "profit": data["profit"],
            "grid_profit": None,
            "profit_withdrawn": None,
            "profit_exited": None,
            "funding_fee": data["fundingFee"],
        }
        for item in data["portfolio"]:
            fee(quote, item["totalFeeInQuote"])
            fee(item["base"], item["totalFeeInBase"])
    figures = {k: _plain(v) for k, v in figures.items()}
    figures["fees"] = {coin: _plain(str(v)) for coin, v in sorted(fees.items())}
    return figures


def _figures(got: dict) -> dict:
    return {
        k: got[k]
        for k in (
            "investment",
            "profit",
            "grid_profit",
            "profit_withdrawn",
            "profit_exited",
            "funding_fee",
            "fees",
        )
    }


def test_bots_show_totals_and_which_bot_trades_are_missing(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    config = sim_config(now_ms=ms(dt.date(2025, 9, 30)), days=20, fills=100)
    with start(config) as sim:
        truth_bots = sim.truth.bots
        # One finished spot bot inside the export's range gets its trades in the export.
        traded = next(
            b
            for b in truth_bots
            if b["closeTime"]
            and b["buOrderType"] == "spot_grid"
            and day_of_ms(b["createTime"]) >= EXPORT_FIRST
            and day_of_ms(b["closeTime"]) <= EXPORT_LAST
        )
        day = day_of_ms(traded["createTime"]).isoformat()
        symbol = f"{traded['base']}_{traded['quote']}"
        import_all(
            db,
            export_folder(
                tmp_path,
                EXPORT_FIRST.isoformat(),
                EXPORT_LAST.isoformat(),
                trades=[
                    trade(f"{day} 12:00:00", "BUY", symbol, "0.001", "60000", "60", "0.06", "USDT"),
                    trade(
                        f"{day} 13:00:00", "SELL", symbol, "0.001", "61000", "61", "0.061", "USDT"
                    ),
                ],
            ),
        )
        fetch_to_db(
            db,
            "default",
            credentials_for(config),
            base_url=sim.base_url,
            since=dt.datetime(2025, 7, 1),
            rate_limit=FAST_RATE,
            timeout=2.0,
            backoff_seconds=0.01,
        )
    result = cli("--db", db, "bots", "--json")
    assert result.exit_code == 0, result.output
    bots = {b["bot_id"]: b for b in json.loads(result.stdout)}
    assert set(bots) == {b["buOrderId"] for b in truth_bots}
    covered_without_trades = 0
    for truth in truth_bots:
        got = bots[truth["buOrderId"]]
        created = day_of_ms(truth["createTime"])
        closed = day_of_ms(truth["closeTime"]) if truth["closeTime"] else utc_today()
        assert _figures(got) == expected_figures(truth), truth["buOrderType"]
        assert got["unexported"] == expected_unexported(created, closed), truth["buOrderId"]
        if got["unexported"]:
            first = got["unexported"][0]
            assert f"download an export for {first['from']} to {first['to']}" in got["problem"]
        elif truth is traded:
            assert got["ledger_trades"] == 2 and got["problem"] == ""
        else:
            covered_without_trades += 1
            assert got["ledger_trades"] == 0
            assert "hold no" in got["problem"] and got["symbol"] in got["problem"]
    assert covered_without_trades >= 1
    assert {b["type"] for b in bots.values()} == {"spot_grid", "futures_grid", "smart_copy"}
    assert all(
        b["profit"] or b["profit_exited"] for b in bots.values()
    )  # never profit 0 by default
    text = cli("--db", db, "bots")
    assert text.exit_code == 0 and traded["buOrderId"] in text.stdout
    futures = next(t for t in truth_bots if t["buOrderType"] == "futures_grid")
    line = next(x for x in text.stdout.splitlines() if futures["buOrderId"] in x)
    assert _plain(futures["buOrderData"]["fundingFeePayment"]) in line
    assert _plain(futures["buOrderData"]["profitExited"]) in line
    status = json.loads(cli("--db", db, "status", "--json").stdout)
    assert any("hold no" in w for w in status["warnings"])
    _workbook_shows_the_same_figures(db, tmp_path / "book.xlsx", truth_bots)


def _workbook_shows_the_same_figures(db: Path, book: Path, truth_bots: list[dict]) -> None:
    import openpyxl

    result = cli("--db", db, "export", "xlsx", "-o", book)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(book, read_only=True)["Bots"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    by_id = {r[header.index("Bot")]: dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_id) == {b["buOrderId"] for b in truth_bots}
    for truth in truth_bots:
        row, want = by_id[truth["buOrderId"]], expected_figures(truth)
        for column, key in (
            ("Investment", "investment"),
            ("Profit", "profit"),
            ("Profit withdrawn", "profit_withdrawn"),
            ("Profit exited", "profit_exited"),
            ("Funding fee", "funding_fee"),
        ):
            assert row[column] == (None if want[key] is None else float(want[key])), column
            if want[key] is not None:
                assert f"{key}={want[key]}" in row["Figures (exact)"]
        for coin, amount in want["fees"].items():
            assert f"{amount} {coin}" in row["Fees"]
