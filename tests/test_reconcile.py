"""`reconcile`: ledger holdings against Pionex balances, each difference explained (bots, rounding,
dust, history not imported) or reported as unexplained with exit code 3."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from exporter.app.fetching import fetch_to_db
from exporter.pionex import landing
from exporter.reports.problems import new_problems
from exporter.simulator import start
from exporter.store.db import open_db
from tests.conftest_api import FAST_RATE, credentials_for, sim_config
from tests.helpers import cli, ledger_nets
from tests.reports_data import (
    day_of_ms,
    deposit,
    export_folder,
    import_all,
    ms,
    trade,
    utc_today,
)


def fully_exported(tmp_path: Path) -> Path:
    """An export from 2025-01-01 through today, so no history is missing.

    Ledger: USDT 1000 - 600 = 400; BTC 0.01 - 0.0000012345 fee = 0.0099987655; DOGE 10."""
    db = tmp_path / "t.duckdb"
    today = utc_today().isoformat()
    import_all(
        db,
        export_folder(
            tmp_path,
            "2025-01-01",
            today,
            generated=today,
            deposits=[
                deposit("2025-01-02 09:00:00", "1000", "USDT"),
                deposit("2025-01-03 09:00:00", "10", "DOGE"),
            ],
            trades=[
                trade(
                    "2025-02-03 10:00:00",
                    "BUY",
                    "BTC_USDT",
                    "0.01",
                    "60000",
                    "600",
                    "0.0000012345",
                    "BTC",
                )
            ],
        ),
    )
    return db


def store_balances(db: Path, spot: list[dict], full: dict | None) -> None:
    """Balances as a fetch stores them (the API helper's landing code)."""
    with open_db(db) as con:
        run_id = landing.start_run(con, "default", "http://test")
        landing.save_balances(con, "default", run_id, spot, full)
        landing.finish_run(con, run_id, "ok")


def coin(name: str, free: str, frozen: str = "0.00000000") -> dict:
    return {"coin": name, "free": free, "frozen": frozen}


def reconcile_json(db: Path, *args: str, env: dict | None = None) -> tuple[int, dict, str]:
    result = cli("--db", db, "reconcile", "--json", *args, env=env)
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_bot_funds_rounding_and_dust_reconcile_with_exit_0(tmp_path: Path) -> None:
    db = fully_exported(tmp_path)
    spot = [coin("BTC", "0.00500000"), coin("DOGE", "9.99900000"), coin("USDT", "150.00000000")]
    full = {
        "prices": {"DOGE": {"priceInUsd": "0.2"}},
        "botAccount": {
            "detail": [
                {"type": "spot", "list": spot},  # repeats the spot account: not counted twice
                # The bot's BTC is 0.0049987655 exactly; Pionex truncates it to 8 decimals.
                {"type": "grid", "list": [coin("USDT", "250.00000000"), coin("BTC", "0.00499876")]},
            ]
        },
    }
    store_balances(db, spot, full)
    code, report, _ = reconcile_json(db, "--offline")
    assert code == 0 and report["reconciled"] is True
    by_asset = {a["asset"]: a for a in report["assets"]}
    assert (
        by_asset["USDT"]["ledger"],
        by_asset["USDT"]["spot"],
        by_asset["USDT"]["bots_and_earn"],
        by_asset["USDT"]["difference"],
    ) == ("400", "150", "250", "0")
    assert "250 USDT held in grid account" in by_asset["USDT"]["explanation"]
    assert by_asset["BTC"]["difference"] == "-0.0000000055"
    assert by_asset["BTC"]["explanation"].startswith(
        "rounding: Pionex truncates balances to 8 decimals"
    )
    assert by_asset["DOGE"]["difference"] == "-0.001"
    assert by_asset["DOGE"]["explanation"].startswith("dust: worth about 0.0002 USD")
    assert {a["status"] for a in report["assets"]} == {"ok"}


def test_unexplained_differences_exit_3_and_are_new_problems_once(tmp_path: Path) -> None:
    db = fully_exported(tmp_path)
    # No whole-wallet view (the key lacks it): the 250 USDT in the bot cannot be seen.
    store_balances(
        db,
        [coin("BTC", "0.00999876"), coin("DOGE", "10"), coin("ETH", "0.5"), coin("USDT", "150")],
        None,
    )
    code, report, stderr = reconcile_json(db, "--offline")
    assert code == 3 and report["reconciled"] is False
    problems = {a["asset"]: a for a in report["assets"] if a["status"] != "ok"}
    assert set(problems) == {"ETH", "USDT"}
    assert problems["ETH"]["difference"] == "0.5" and problems["ETH"]["status"] == "unexplained"
    assert "Pionex holds more than the history explains" in problems["ETH"]["explanation"]
    assert problems["USDT"]["difference"] == "-250"
    assert "moves into bots" in problems["USDT"]["explanation"]
    assert "do not reconcile (ETH, USDT)" in stderr
    text = cli("--db", db, "reconcile", "--offline")
    assert (
        text.exit_code == 3
        and "2 asset(s) do not reconcile (0 because history is not imported" in text.stdout
    )
    with open_db(db) as con:
        first = new_problems(con, "default")
        again = new_problems(con, "default")
    assert sorted(p.split(":")[0] for p in first) == ["new ETH", "new USDT"]
    assert again == []


def test_api_only_history_reconciles_where_it_can_and_names_the_missing_history(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.duckdb"
    config = sim_config(now_ms=ms(dt.date(2025, 9, 30)), days=20, fills=150)
    with start(config) as sim:
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
        nets = ledger_nets(db)
        # Pionex holds exactly what the fills explain, truncated to 8 decimals; nothing where the
        # fills alone go negative (the deposits that paid for them are not in the API).
        eight = Decimal("0.00000001")
        sim.sim.truth.balances = [
            coin(a, str(v.quantize(eight, rounding=ROUND_DOWN)))
            for a, v in sorted(nets.items())
            if v > 0
        ]
        # The account's first sign of life is its oldest bot; from then on only the API covers it.
        first_day = min(day_of_ms(b["createTime"]) for b in sim.truth.bots)
        env = {
            "PIONEX_API_KEY": config.api_key,
            "PIONEX_API_SECRET": config.api_secret,
            "PIONEX_EXPORT_CONFIG": str(tmp_path / "no-config.toml"),
        }
        code, report, _ = reconcile_json(db, "--base-url", sim.base_url, env=env)
    assert report["balances_from"] == "live"
    by_asset = {a["asset"]: a for a in report["assets"]}
    assert set(by_asset) == set(nets)
    for asset, net in nets.items():
        row = by_asset[asset]
        if net > 0:
            assert row["status"] == "ok", row
            assert Decimal(row["difference"]) == net.quantize(eight, rounding=ROUND_DOWN) - net
        else:
            assert row["status"] == "missing_history", row
            assert row["explanation"].startswith(
                f"history not yet imported for {first_day} to {utc_today()}: "
            ), row
    assert code == 3
