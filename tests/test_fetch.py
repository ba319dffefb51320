"""The fetch end to end: real simulator on 127.0.0.1, real DuckDB file, compared with the truth."""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from exporter.app.fetching import fetch_to_db
from exporter.cli.api import fetch as fetch_cmd
from exporter.cli.common import account_option, db_option
from exporter.normalize.pipeline import rebuild as rebuild_account
from exporter.pionex.credentials import CredentialsError, load_credentials
from exporter.pionex.fetch import FetchOptions, fetch
from exporter.simulator import RunningSimulator, start
from exporter.store.db import open_db
from tests.conftest_api import FAST_RATE, client_for, credentials_for, fresh_db, sim_config

REPO = Path(__file__).resolve().parents[1]


def stored_records(db: Path) -> set[tuple[str, str, str]]:
    with open_db(db, read_only=True) as con:
        return set(con.execute("SELECT kind, record_key, record FROM api_records").fetchall())


def stored_fill_keys(db: Path) -> set[str]:
    return {key for kind, key, _ in stored_records(db) if kind == "fill"}


def truth_fill_keys(sim: RunningSimulator) -> set[str]:
    return {f"{i}:{o}:{r}" for i, o, r in sim.truth.fill_keys()}


def ledger_nets(db: Path) -> dict[str, Decimal]:
    with open_db(db, read_only=True) as con:
        rows = con.execute("SELECT asset, sum(amount) FROM ledger GROUP BY asset").fetchall()
    return {asset: amount for asset, amount in rows if amount != 0}


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningSimulator]:
    """One simulator for the tests that only read from it (its data never changes)."""
    with start(sim_config()) as running:
        yield running


@pytest.fixture(scope="module")
def clean_db(shared: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = fresh_db(tmp_path_factory.mktemp("clean"), "clean")
    run_fetch(shared, db, rebuild=True)
    return db


def run_fetch(sim: RunningSimulator, db: Path, rebuild: bool = False, **options: object) -> object:
    with open_db(db) as con, client_for(sim) as client:
        report = fetch(con, client, "default", FetchOptions(**options))  # type: ignore[arg-type]
        if rebuild:
            rebuild_account(con, "default")
    return report


def test_fetch_with_faults_matches_the_simulators_truth(tmp_path: Path) -> None:
    config = sim_config(fault_rate=0.15, fills=500)
    with start(config) as sim:
        db = fresh_db(tmp_path, "api")
        report = fetch_to_db(
            db,
            "default",
            credentials_for(config),
            base_url=sim.base_url,
            rate_limit=FAST_RATE,
            ban_seconds=1,
            timeout=0.25,
            backoff_seconds=0.01,
        )
        assert stored_fill_keys(db) == truth_fill_keys(sim)
        assert ledger_nets(db) == sim.truth.nets
        assert report.retries > 0 and {r.fault for r in sim.requests} - {None}
        assert all(r.status != 429 for r in sim.requests) and sim.sim.limiter.bans == 0
        assert {r.method for r in sim.requests} == {"GET"}
        assert (
            sim.truth.delisted_symbol in report.symbols
            and sim.truth.no_fill_symbol in report.symbols
        )
        with open_db(db) as con:
            assert con.execute("SELECT count(*) FROM api_bots").fetchone()[0] == len(sim.truth.bots)
            assert con.execute("SELECT count(*) FROM api_bot_details").fetchone()[0] == len(
                sim.truth.bots
            )
            assert con.execute(
                "SELECT count(*) FROM api_balance_snapshots WHERE part='spot'"
            ).fetchone()[0] == len(sim.truth.balances)
            assert con.execute("SELECT count(*) FROM transactions WHERE source='api'").fetchone()[
                0
            ] == len(sim.truth.fills)
            ids = con.execute("SELECT txn_id FROM transactions WHERE source='api'").fetchall()
            assert len(set(ids)) == len(ids)


def test_fetch_at_the_real_10_per_second_is_never_banned(tmp_path: Path) -> None:
    with start(sim_config(rate_limit=10, fills=120, symbols=1, hard_cases=False)) as sim:
        db = fresh_db(tmp_path, "a")
        run_fetch(sim, db, bots=False)
        assert stored_fill_keys(db) == truth_fill_keys(sim)
        assert sim.sim.limiter.bans == 0 and len(sim.requests) >= 6


@pytest.mark.parametrize("crash_after", [2, 11])
def test_killed_fetch_resumed_equals_a_clean_run(
    shared: RunningSimulator, clean_db: Path, tmp_path: Path, crash_after: int
) -> None:
    class Crash(Exception):
        pass

    def crash(commits: int) -> None:
        if commits == crash_after:
            raise Crash

    crashed = fresh_db(tmp_path, "crashed")
    with open_db(crashed) as con, client_for(shared) as client, pytest.raises(Crash):
        fetch(con, client, "default", FetchOptions(commit_seconds=0), after_page=crash)
    with open_db(crashed) as con:
        assert con.execute("SELECT status FROM api_fetch_runs").fetchall() == [("failed",)]
    run_fetch(shared, crashed)
    # Same raw records: everything derived from them (transactions, ledger) is then the same.
    assert stored_records(crashed) == stored_records(clean_db)


def test_sigkilled_process_resumes_to_exactly_the_truth(tmp_path: Path) -> None:
    config = sim_config(rate_limit=80, fills=600)
    with start(config) as sim:
        db = fresh_db(tmp_path, "killed")
        code = (
            "from pathlib import Path; from exporter.app.fetching import fetch_to_db;"
            "from exporter.pionex.credentials import Credentials;"
            f"fetch_to_db(Path({str(db)!r}), 'default', Credentials.of({config.api_key!r}, {config.api_secret!r}),"
            f" base_url={sim.base_url!r}, rate_limit=80, rebuild=False)"
        )
        child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
        deadline = time.monotonic() + 30
        # Kill mid-walk: once the child has asked for a few pages of fills.
        while sum(r.path == "/api/v1/trade/fills" for r in sim.requests) < 3:
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
        with open_db(db) as con:
            partial = con.execute("SELECT count(*) FROM api_records WHERE kind='fill'").fetchone()[
                0
            ]
        assert partial < len(sim.truth.fills)
        run_fetch(sim, db, rebuild=True)
        assert stored_fill_keys(db) == truth_fill_keys(sim)
        assert ledger_nets(db) == sim.truth.nets


def test_rerun_asks_only_for_what_is_newer(tmp_path: Path) -> None:
    with start(sim_config()) as sim:
        db = fresh_db(tmp_path, "inc")
        ten_days = 10 * 86_400_000
        first = run_fetch(sim, db, lag_ms=ten_days)  # as if run ten days ago
        early = {k for k in truth_fill_keys(sim)}
        assert 0 < len(stored_fill_keys(db)) < len(early)
        with open_db(db) as con:
            marks = dict(
                con.execute(
                    "SELECT symbol, fetched_until_ms FROM api_checkpoints "
                    "WHERE endpoint='/api/v1/trade/fills' AND status='ok'"
                ).fetchall()
            )
        seen = len(sim.requests)
        second = run_fetch(sim, db)
        assert stored_fill_keys(db) == truth_fill_keys(sim)
        assert second.new_fills == len(sim.truth.fills) - first.new_fills  # type: ignore[attr-defined]
        fills_calls = [r for r in sim.requests[seen:] if r.path == "/api/v1/trade/fills"]
        for call in fills_calls:
            query = dict(p.split("=") for p in call.query.split("&"))
            assert int(query["startTime"]) == marks[query["symbol"]] + 1
        third_start = len(sim.requests)
        third = run_fetch(sim, db)
        assert third.new_fills == 0  # type: ignore[attr-defined]
        third_fills = [r for r in sim.requests[third_start:] if r.path == "/api/v1/trade/fills"]
        assert len(third_fills) == len(third.symbols)  # type: ignore[attr-defined]


def test_symbols_from_exports_and_the_command_line_are_walked(
    shared: RunningSimulator, clean_db: Path, tmp_path: Path
) -> None:
    with open_db(clean_db, read_only=True) as con:
        refused = con.execute(
            "SELECT symbol FROM api_checkpoints WHERE status='invalid_symbol'"
        ).fetchall()
    assert ("LUNA_USDC",) in refused  # the guessed quote pair of the delisted coin
    db = fresh_db(tmp_path, "sym")
    shutil.copy(clean_db, db)
    with open_db(db) as con:
        con.execute("""INSERT INTO transactions (txn_id, account, occurred_at, kind, symbol, source,
                       source_family, needs_review) VALUES ('x', 'default', now()::TIMESTAMP, 'trade',
                       'DOT_USDT', 'export', 'trading', false)""")
    report = run_fetch(shared, db, symbols=("PEPE_USDT",))
    assert {"DOT_USDT", "PEPE_USDT"} <= set(report.symbols)  # type: ignore[attr-defined]
    assert "LUNA_USDC" not in report.symbols  # type: ignore[attr-defined]


def test_api_fill_and_its_export_row_are_one_transaction(
    shared: RunningSimulator, clean_db: Path, tmp_path: Path
) -> None:
    from exporter.app.importing import import_paths

    sim = shared
    if True:
        db = fresh_db(tmp_path, "both")
        shutil.copy(clean_db, db)
        symbol = sim.truth.traded_symbols[1]  # holds the self-trade and the identical partial fills
        fills = [f for f in sim.truth.fills if f["symbol"] == symbol]
        export = tmp_path / "trading.csv"
        with export.open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(
                [
                    "date(UTC+0)",
                    "executed_qty",
                    "amount",
                    "price",
                    "side",
                    "symbol",
                    "fee",
                    "fee_coin",
                    "market_type",
                    "tax_id",
                ]
            )
            for f in fills:
                at = datetime.fromtimestamp(f["timestamp"] // 1000, UTC).strftime(
                    "%Y-%m-%d %H:%M:%S"
                )
                amount = Decimal(f["price"]) * Decimal(f["size"])
                out.writerow(
                    [
                        at,
                        f["size"],
                        str(amount),
                        f["price"],
                        f["side"],
                        symbol,
                        f["fee"],
                        f["feeCoin"],
                        "spot",
                        "",
                    ]
                )
        before = ledger_nets(db)
        with open_db(db) as con:
            import_paths(con, [export], "default")
            rebuild_account(con, "default")
            sources = dict(
                con.execute("SELECT source, count(*) FROM transactions GROUP BY 1").fetchall()
            )
        assert sources.get("export", 0) == 0 and sources["api"] == len(sim.truth.fills)
        assert ledger_nets(db) == before == sim.truth.nets


def _write_credentials(path: Path, key: str, secret: str, mode: int) -> Path:
    path.write_text(f"# read-only key\nPIONEX_API_KEY={key}\nPIONEX_API_SECRET='{secret}'\n")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_credentials_file_readable_by_others_is_refused_with_the_fix(
    tmp_path: Path, mode: int
) -> None:
    path = _write_credentials(tmp_path / "creds", "k", "s", mode)
    with pytest.raises(CredentialsError) as caught:
        load_credentials(path, environ={})
    assert f"chmod 600 {path}" in str(caught.value)


def test_credentials_from_a_0600_file_and_env_wins(tmp_path: Path) -> None:
    path = _write_credentials(tmp_path / "creds", "file-key", "file-secret", 0o600)
    from_file = load_credentials(path, environ={})
    assert from_file.api_secret.reveal() == "file-secret"
    assert (
        "file-secret" not in repr(from_file) + str(from_file.api_secret) + f"{from_file.api_secret}"
    )
    env = {"PIONEX_API_KEY": "env-key", "PIONEX_API_SECRET": "env-secret"}
    assert load_credentials(path, environ=env).api_key.reveal() == "env-key"
    with pytest.raises(CredentialsError, match="PIONEX_API_KEY"):
        load_credentials(None, environ={})


@click.group()
@db_option
@account_option
def _root() -> None:
    """A stand-in for the main group, so these tests need only the fetch command."""


_root.add_command(fetch_cmd)


def test_canary_secret_never_reaches_db_logs_or_output(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "CANARY-7f3a-never-print-me"
    # The CLI runs at Pionex's real 10 weight/s, so the account is kept tiny.
    config = replace(sim_config(symbols=1, fills=30, hard_cases=False), api_secret=canary)
    db = fresh_db(tmp_path, "canary")
    caplog.set_level(logging.DEBUG)
    with start(config) as sim:
        env = {
            "PIONEX_API_KEY": config.api_key,
            "PIONEX_API_SECRET": canary,
            "XDG_CONFIG_HOME": str(tmp_path),
        }
        ok = CliRunner().invoke(
            _root, ["--db", str(db), "fetch", "--base-url", sim.base_url], env=env
        )
        assert ok.exit_code == 0, ok.output
        assert "new fills" in ok.output
        wrong = CliRunner().invoke(
            _root,
            ["fetch", "--db", str(db), "--base-url", sim.base_url],
            env={**env, "PIONEX_API_SECRET": canary + "-wrong"},
        )
        assert wrong.exit_code != 0 and "PIONEX_API_SECRET" in str(wrong.exception)
    texts = [ok.output, wrong.output, str(wrong.exception), repr(wrong.exception), caplog.text]
    assert all(canary not in text for text in texts)
    assert canary.encode() not in db.read_bytes()
    with open_db(db) as con:
        for table in (
            "api_records",
            "api_fetch_runs",
            "api_checkpoints",
            "api_bots",
            "api_bot_details",
            "api_balance_snapshots",
            "transactions",
        ):
            dump = json.dumps(con.execute(f"SELECT * FROM {table}").fetchall(), default=str)
            assert canary not in dump
    assert os.environ.get("PIONEX_API_SECRET") != canary
