"""`demo --out DIR` never deletes what it did not write: a user's folder is refused, its own is
refreshed file by file."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

from tests.helpers import cli, ledger_nets, query


def test_demo_refuses_a_folder_holding_a_users_file_and_leaves_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "taxes-2024.pdf").write_bytes(b"%PDF-1.4 my return")
    result = cli("demo", "--out", out)
    assert result.exit_code == 1
    assert "--out" in result.stderr and "internal error" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["taxes-2024.pdf"]
    assert (out / "taxes-2024.pdf").read_bytes() == b"%PDF-1.4 my return"


def test_demo_out_dot_in_a_folder_with_files_refuses_and_deletes_nothing(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.csv").write_text("a,b\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "--out", ".")
    assert result.exit_code == 1 and "--out" in result.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (tmp_path / "sub" / "deep.csv").exists()
    assert sorted(os.listdir(tmp_path)) == ["notes.txt", "sub"]


def test_demo_rerun_replaces_its_own_outputs_and_keeps_a_file_the_user_added(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    assert cli("demo", "--out", out).exit_code == 0
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    rerun = cli("demo", "--out", out)
    assert rerun.exit_code == 0, rerun.output
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    # a fresh database, not one imported into twice
    assert "import #1 " in rerun.stdout.lower()
    assert (out / "pionex.duckdb").exists() and (out / "coinledger.csv").exists()


def test_demo_accepts_an_empty_existing_folder(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert cli("demo", "--out", out).exit_code == 0
    assert (out / "pionex.duckdb").exists()


def test_the_demo_tells_one_account_that_reconciles_with_one_documented_gap(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    shown = cli("demo", "--out", out)
    assert shown.exit_code == 0, shown.output
    db = out / "pionex.duckdb"
    assert "what to look at" in shown.stdout
    for command in ("status", "reconcile --offline", "bots"):
        assert f"pionex-export --db {db} {command}" in shown.stdout

    reconciled = cli("--db", db, "reconcile", "--offline", "--json")
    assert reconciled.exit_code == 0, reconciled.output  # every balance explained
    status = json.loads(cli("--db", db, "status", "--json").stdout)
    gaps = [(g["from"], g["to"]) for g in status["gaps"]]
    assert gaps == [("2025-07-01", "2025-07-08")]  # the deliberate one, named in the output
    assert "2025-07-01 to 2025-07-08" in shown.stdout
    # one person, one period: the API's fills follow the export's last day, in July 2025
    (first_api, last_api) = query(
        db, "SELECT min(occurred_at), max(occurred_at) FROM transactions WHERE source = 'api'"
    )[0]
    assert (first_api.date(), last_api.date()) == (dt.date(2025, 7, 8), dt.date(2025, 7, 28))
    bots = json.loads(cli("--db", db, "bots", "--json").stdout)
    # the export's two bots (tax_id s_7 and s_10), each beside its trades, holding nothing now
    assert [(b["symbol"], b["ledger_trades"], b["problem"], b["holdings"]) for b in bots] == [
        ("ETH_USDT", 12, "", {}),
        ("BIO_USDT_PERP", 2, "", {}),
    ]


def test_no_sample_balance_ever_goes_negative(tmp_path: Path) -> None:
    # One coherent account: the export's deposits fund its trades, and July's trades (the demo's
    # fetch) are paid from what the export leaves. Checked on the ledger itself, movement by
    # movement in time order (a transaction's legs together), for the export and the fetch.
    out = tmp_path / "demo"
    assert cli("demo", "--out", out).exit_code == 0
    db = out / "pionex.duckdb"
    moves = query(
        db, "SELECT asset, occurred_at, txn_id, amount, source FROM ledger "
        "JOIN transactions USING (account, txn_id, occurred_at) ORDER BY occurred_at, txn_id",
    )  # fmt: skip
    assert {m[4] for m in moves} == {"export", "api"}
    held: dict[str, Decimal] = {}
    lowest: dict[str, Decimal] = {}
    for index, (asset, _at, txn_id, amount, _source) in enumerate(moves):
        held[asset] = held.get(asset, Decimal(0)) + amount
        if index + 1 < len(moves) and moves[index + 1][2] == txn_id:
            continue  # judge a transaction once all its legs (amount and fee) are booked
        for coin, balance in held.items():
            lowest[coin] = min(lowest.get(coin, balance), balance)
    assert all(v >= 0 for v in lowest.values()), lowest
    assert lowest["USDT"] > 0 and set(lowest) >= {"BTC", "ETH", "USDT"}
    status = json.loads(cli("--db", db, "status", "--json").stdout)
    assert status["negative_balances"] == []


def test_the_storys_opening_balances_are_what_the_sample_export_leaves(
    db: Path, sample_zip: Path
) -> None:
    from exporter.simulator.story import OPENING

    assert cli("--db", db, "import", sample_zip).exit_code == 0
    assert ledger_nets(db) == OPENING
