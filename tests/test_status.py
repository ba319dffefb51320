"""`status`: coverage per source, gaps with the action that closes them, review rows, negative
balances; and `new_problems`, which tells `sync` what is newly wrong."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from exporter.app.fetching import fetch_to_db
from exporter.reports.problems import new_problems, summary_line
from exporter.simulator import start
from exporter.store.db import open_db
from tests.conftest_api import FAST_RATE, credentials_for, sim_config
from tests.helpers import cli
from tests.reports_data import (
    day_of_ms,
    deposit,
    export_folder,
    import_all,
    ms,
    trade,
    utc_today,
)

ONE = dt.timedelta(days=1)


def status_json(db: Path) -> dict:
    result = cli("--db", db, "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def two_exports_missing_march(tmp_path: Path) -> tuple[Path, Path, Path]:
    db = tmp_path / "t.duckdb"
    jan_feb = export_folder(
        tmp_path,
        "2025-01-01",
        "2025-02-28",
        deposits=[deposit("2025-01-02 09:00:00", "1000", "USDT")],
        trades=[
            trade("2025-02-03 10:00:00", "BUY", "BTC_USDT", "0.01", "60000", "600", "0.6", "USDT")
        ],
    )
    apr_jun = export_folder(
        tmp_path,
        "2025-04-01",
        "2025-06-30",
        trades=[
            trade(
                "2025-04-05 11:00:00", "SELL", "BTC_USDT", "0.005", "70000", "350", "0.35", "USDT"
            )
        ],
        others=[("2025-05-01 00:00:00", "USDT", "1.5", "MysteryBonus", "promo")],
    )
    import_all(db, jan_feb, apr_jun)
    return db, jan_feb, apr_jun


def test_missing_month_between_two_exports_is_a_gap_with_the_download_that_closes_it(
    two_exports_missing_march: tuple[Path, Path, Path],
) -> None:
    db, _, _ = two_exports_missing_march
    status = status_json(db)
    gaps = status["gaps"]
    march = [g for g in gaps if g["from"] == "2025-03-01"]
    assert len(march) == 1 and march[0]["to"] == "2025-03-31" and march[0]["kind"] == "missing"
    assert "download an export for 2025-03-01 to 2025-03-31" in march[0]["action"]
    assert "pionex_txn_2025-01-01_2025-02-28" in march[0]["reason"]
    # After the newest export nothing covers the days up to today.
    tail = [g for g in gaps if g["from"] == "2025-07-01"]
    assert len(tail) == 1 and tail[0]["to"] == utc_today().isoformat()
    assert f"download an export for 2025-07-01 to {utc_today()}" in tail[0]["action"]
    assert len(gaps) == 2
    trading = next(
        c for c in status["coverage"] if c["source"] == "export" and c["name"] == "trading"
    )
    assert (trading["from"], trading["to"], trading["rows"]) == ("2025-01-01", "2025-06-30", 2)
    assert trading["ranges"] == [
        {"from": "2025-01-01", "to": "2025-02-28"},
        {"from": "2025-04-01", "to": "2025-06-30"},
    ]
    assert trading["last_loaded"] is not None
    assert set(status) >= {"coverage", "gaps", "review", "warnings"}


def test_an_export_without_activity_closes_the_gap_its_folder_name_covers(
    two_exports_missing_march: tuple[Path, Path, Path],
    tmp_path: Path,
) -> None:
    db, _, _ = two_exports_missing_march
    import_all(db, export_folder(tmp_path / "march", "2025-03-01", "2025-03-31"))
    gaps = status_json(db)["gaps"]
    assert [g["from"] for g in gaps] == ["2025-07-01"]


def test_needs_review_rows_are_counted_by_reason_and_the_text_view_names_the_fix(
    two_exports_missing_march: tuple[Path, Path, Path],
) -> None:
    db, _, _ = two_exports_missing_march
    review = status_json(db)["review"]
    assert review == [
        {
            "family": "others",
            "reason": "unknown others.csv tag MysteryBonus: booked as the file signs it",
            "rows": 1,
            "first": review[0]["first"],
        }
    ]
    assert review[0]["first"].endswith("others.csv line 2")
    text = cli("--db", db, "status")
    assert text.exit_code == 0
    assert "2025-03-01 to 2025-03-31 (31 days)" in text.stdout
    assert "fix: download an export for 2025-03-01 to 2025-03-31" in text.stdout
    assert "unknown others.csv tag MysteryBonus" in text.stdout


def test_negative_running_balance_names_the_asset_and_the_first_moment(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    folder = export_folder(
        tmp_path,
        "2025-01-01",
        "2025-01-31",
        deposits=[deposit("2025-01-10 00:00:00", "500", "USDT")],
        trades=[
            trade("2025-01-05 12:00:00", "BUY", "ETH_USDT", "0.1", "3000", "300", "0.3", "USDT"),
            trade("2025-01-20 12:00:00", "BUY", "ETH_USDT", "0.2", "3000", "600", "0.6", "USDT"),
        ],
    )
    import_all(db, folder)
    status = status_json(db)
    # -300.3 on the 5th; +500 on the 10th (199.7); -600.6 on the 20th (-400.9, the lowest).
    assert status["negative_balances"] == [
        {
            "account": "default",
            "asset": "USDT",
            "date": "2025-01-05",
            "first_at": "2025-01-05T12:00:00",
            "amount": "-300.3",
            "lowest": "-400.9",
        }
    ]
    assert any("USDT balance goes negative on 2025-01-05 12:00:00" in w for w in status["warnings"])


def test_api_only_recent_history_counts_from_the_oldest_fill_and_bots_there_are_gaps(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.duckdb"
    sim_now = dt.date(2025, 9, 30)
    import_all(
        db,
        export_folder(
            tmp_path,
            "2025-01-01",
            "2025-06-30",
            deposits=[deposit("2025-01-02 09:00:00", "1000", "USDT")],
        ),
    )
    config = sim_config(now_ms=ms(sim_now), days=20, fills=150)
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
        truth = sim.truth
    oldest = min(f["timestamp"] for f in truth.fills)
    # The day of the oldest fill is only partly known (older fills of that day may be forgotten).
    api_first = day_of_ms(oldest) + ONE
    status = status_json(db)
    missing = [g for g in status["gaps"] if g["kind"] == "missing"]
    assert [(g["from"], g["to"]) for g in missing] == [
        ("2025-07-01", (api_first - ONE).isoformat())
    ]
    assert "API fills" in missing[0]["reason"]
    fills = next(c for c in status["coverage"] if c["name"] == "/api/v1/trade/fills")
    assert fills["from"] == api_first.isoformat() and fills["to"] == utc_today().isoformat()
    # Every fill the API serves is stored, by the fills walk or its fillsByOrderId fallback.
    by_order = next(c for c in status["coverage"] if c["name"] == "/api/v1/trade/fillsByOrderId")
    assert fills["rows"] + by_order["rows"] == len(truth.fills)
    assert any(
        f"{api_first} to {utc_today()} is covered by the API only" in w for w in status["warnings"]
    )
    # A bot running on API-only days: its trades are only in exports, so those days are a gap.
    expected = set()
    for bot in truth.bots:
        created = day_of_ms(bot["createTime"])
        closed = day_of_ms(bot["closeTime"]) if bot["closeTime"] else utc_today()
        first, last = max(created, api_first), closed
        if first <= last:
            expected.add((first.isoformat(), last.isoformat(), bot["buOrderId"]))
    got = {
        (g["from"], g["to"], g["reason"].split(" bot ")[1].split(" ")[0])
        for g in status["gaps"]
        if g["kind"] == "bot"
    }
    assert got == expected and expected


def test_new_problems_reports_each_problem_once_and_what_appears_later(
    two_exports_missing_march: tuple[Path, Path, Path],
    tmp_path: Path,
) -> None:
    db, _, _ = two_exports_missing_march
    today = dt.date(2025, 8, 10)
    with open_db(db) as con:
        first = new_problems(con, "default", today)
        again = new_problems(con, "default", today + ONE)  # the open-ended gap grew a day: not new
    assert any("gap 2025-03-01 to 2025-03-31" in p for p in first)
    assert any("gap 2025-07-01 to 2025-08-10" in p for p in first)
    assert again == []
    assert summary_line(again) == "completeness: no new gaps or differences"
    assert summary_line(first).startswith(f"completeness: {len(first)} new problem(s): new gap")
    # Covering part of the tail leaves an old gap (not new); a new negative balance is new.
    import_all(
        db,
        export_folder(
            tmp_path / "later",
            "2025-07-01",
            "2025-07-31",
            trades=[
                trade("2025-07-02 10:00:00", "SELL", "SOL_USDT", "2", "150", "300", "0.3", "USDT")
            ],
        ),
    )
    with open_db(db) as con:
        later = new_problems(con, "default", today + 2 * ONE)
        rows = con.execute("SELECT count(*), sum(new_problems) FROM problem_checks").fetchall()
    assert (
        later == [p for p in later if "SOL balance goes negative on 2025-07-02" in p]
        and len(later) == 1
    )
    assert rows == [(3, len(first) + 1)]
