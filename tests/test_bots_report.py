"""`bots`: each bot's totals from the API next to the export trades of its pair over its lifetime,
naming the bots whose trades are missing from the exports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from exporter.pionex.fetch import fetch_to_db
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
        assert got["investment"] == truth["buOrderData"]["quoteTotalInvestment"]
        assert got["profit"] == truth["buOrderData"]["realizedProfit"]
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
    text = cli("--db", db, "bots")
    assert text.exit_code == 0 and traded["buOrderId"] in text.stdout
    status = json.loads(cli("--db", db, "status", "--json").stdout)
    assert any("hold no" in w for w in status["warnings"])
