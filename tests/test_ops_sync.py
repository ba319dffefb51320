"""`sync` as cron runs it: inbox by content hash, fetch, dated exports, quiet, lock, exit codes."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from exporter.app.lock import sync_lock
from exporter.simulator import start
from tests.helpers import OTHERS_HEADER, cli, ledger_nets, query, write_csv
from tests.ops_support import (
    drop_export_with_a_negative_balance,
    drop_sample_export,
    no_key_env,
    sim_config,
    write_config,
    write_key_file,
)


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    db, inbox, exports = tmp_path / "p.duckdb", tmp_path / "inbox", tmp_path / "exports"
    inbox.mkdir()
    config = write_config(
        tmp_path / "cfg" / "config.toml", db, {"default": {"inbox": inbox, "export_dir": exports}}
    )
    return db, inbox, exports, no_key_env(config)


def test_inbox_only_sync_imports_exports_and_is_silent_when_nothing_changed(setup) -> None:  # type: ignore[no-untyped-def]
    db, inbox, exports, env = setup
    drop_export_with_a_negative_balance(inbox)
    first = cli("sync", "--no-fetch", env=env)
    # The export ends 2025-06-30 and its buys spend more USDT than its one deposit: the
    # completeness check reports the uncovered days and the negative balance, exit code 3.
    assert first.exit_code == 3, first.output
    assert first.stdout.startswith("sync default: 1 new file(s) imported (+34 rows)")
    assert "new problem(s)" in first.stdout and len(first.stdout.splitlines()) == 1
    assert "problem: new gap 2025-07-01" in first.stderr
    assert first.stderr.count("problem: new gap 2025-07-01") == 1
    # 5,000 deposited, 3,770.02 + 1.88501 fees for the BTC, then 1,650.06 + 0.82503 for the ETH
    assert "problem: new USDT balance goes negative on 2025-01-15 08:30:45 UTC (-422.79004;" in (
        first.stderr
    )
    assert "see `pionex-export status`" in first.stderr
    folders = list(exports.iterdir())
    assert len(folders) == 1 and (folders[0] / "coinledger.csv").exists()
    assert (folders[0] / "workbook.xlsx").stat().st_size > 0
    with (folders[0] / "coinledger.csv").open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) > 0

    again = cli("sync", "--no-fetch", env=env)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    verbose = cli("--verbose", "sync", "--no-fetch", env=env)
    assert "sync default: nothing new" in verbose.stdout
    assert query(db, "SELECT status FROM sync_runs ORDER BY run_id") == [
        ("changed",),
        ("unchanged",),
        ("unchanged",),
    ]


def test_renamed_copy_is_skipped_and_a_bad_file_fails_loudly_without_blocking_others(setup) -> None:  # type: ignore[no-untyped-def]
    db, inbox, _exports, env = setup
    folder = drop_sample_export(inbox)
    assert cli("sync", "--no-fetch", env=env).exit_code == 3
    shutil.copytree(folder, inbox / "copy-of-the-same-export")
    bad = inbox / "broken.csv"
    bad.write_text('"date(UTC+0)","coin","amount","tag","comment"\n"not a date","BTC","1","x",""\n')
    extra = write_csv(
        inbox / "others-later.csv",
        OTHERS_HEADER,
        [("2025-07-01 00:00:00", "USDT", "1.5", "CommissionIn", "")],
    )
    result = cli("sync", "--no-fetch", env=env)
    assert result.exit_code == 1
    assert "broken.csv" in result.stderr and "line 2" in result.stderr
    assert "run `pionex-export sync` again" in result.stderr
    assert "1 new file(s) imported (+1 rows)" in result.stdout  # the good file still went in
    files = query(db, "SELECT file_name FROM inbox_files ORDER BY seen_at")
    assert [Path(f).name for (f,) in files] == [folder.name, extra.name]
    # The failed file is not remembered: it is reported again until the user deals with it.
    assert cli("sync", "--no-fetch", env=env).exit_code == 1
    bad.unlink()
    assert cli("sync", "--no-fetch", env=env).exit_code == 0


def test_quiet_prints_nothing_on_success_but_still_reports_failures(setup) -> None:  # type: ignore[no-untyped-def]
    _db, inbox, _exports, env = setup
    drop_sample_export(inbox)
    attention = cli("--quiet", "sync", "--no-fetch", env=env)
    assert attention.exit_code == 3 and attention.stdout == "" and "problem:" in attention.stderr
    (inbox / "more.csv").write_text(
        '"date(UTC+0)","coin","amount","tag","comment"\n"2025-07-02 00:00:00","USDT","2","CommissionIn",""\n'
    )
    quiet = cli("--quiet", "sync", "--no-fetch", env=env)
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert cli("sync", "--no-fetch", env=env).stdout == ""  # nothing changed since
    (inbox / "bad.csv").write_text("no,header,we,know\n1,2,3,4\n")
    failed = cli("-q", "sync", "--no-fetch", env=env)
    assert failed.exit_code == 1 and "bad.csv" in failed.stderr and failed.stdout == ""


def test_a_second_concurrent_sync_is_refused_with_exit_75(setup) -> None:  # type: ignore[no-untyped-def]
    db, inbox, _exports, env = setup
    drop_sample_export(inbox)
    with sync_lock(db):
        result = cli("sync", "--no-fetch", env=env)
    assert result.exit_code == 75
    assert "another sync is running" in result.stderr and "did nothing" in result.stderr
    assert not db.exists() or query(db, "SELECT count(*) FROM inbox_files") == [(0,)]
    assert (
        cli("sync", "--no-fetch", env=env).exit_code == 3
    )  # the lock is gone with its holder  # the lock is gone with its holder


def test_nothing_configured_is_a_failure_that_says_what_to_do(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", tmp_path / "p.duckdb", {})
    result = cli("sync", env=no_key_env(config))
    assert result.exit_code == 1
    assert "no inbox folder and no API credentials" in result.stderr
    assert "pionex-export init" in result.stderr


def test_sync_fetches_each_account_with_its_own_key_into_one_database(tmp_path: Path) -> None:
    first, second = sim_config(seed=1), sim_config(seed=2, api_key="k2", api_secret="s2")
    db = tmp_path / "p.duckdb"
    with start(first) as sim1, start(second) as sim2:
        config = write_config(
            tmp_path / "config.toml",
            db,
            {
                "main": {
                    "base_url": sim1.base_url,
                    "rate_limit": 1000.0,
                    "credentials_file": write_key_file(
                        tmp_path / "main.key", first.api_key, first.api_secret
                    ),
                    "export_dir": tmp_path / "out-main",
                },
                "us": {
                    "base_url": sim2.base_url,
                    "rate_limit": 1000.0,
                    "credentials_file": write_key_file(tmp_path / "us.key", "k2", "s2"),
                    "export_dir": tmp_path / "out-us",
                },
            },
        )
        result = cli("sync", "--all-accounts", env=no_key_env(config))
        assert result.exit_code == 3, result.output  # bots without exports: gaps reported
        lines = result.stdout.splitlines()
        assert [line.split(":")[0] for line in lines] == ["sync main", "sync us"]
        fills = dict(
            query(
                db, "SELECT account, count(*) FROM transactions WHERE source = 'api' GROUP BY ALL"
            )
        )
        assert fills == {"main": len(sim1.truth.fills), "us": len(sim2.truth.fills)}
        assert f"{fills['main']} new API fills" in lines[0]
        assert ledger_nets(db, "main") != ledger_nets(db, "us")
        for name in ("out-main", "out-us"):
            (folder,) = (tmp_path / name).iterdir()
            assert (folder / "coinledger.csv").stat().st_size > 0
        again = cli("sync", "--all-accounts", env=no_key_env(config))
        assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")


def test_a_refused_key_fails_the_sync_with_the_fix(tmp_path: Path) -> None:
    config_sim = sim_config()
    with start(config_sim) as sim:
        config = write_config(
            tmp_path / "config.toml",
            tmp_path / "p.duckdb",
            {
                "default": {
                    "base_url": sim.base_url,
                    "rate_limit": 1000.0,
                    "credentials_file": write_key_file(tmp_path / "k", "wrong-key", "x"),
                }
            },
        )
        result = cli("sync", env=no_key_env(config))
    assert result.exit_code == 1
    assert "API Management" in result.stderr and "wrong-key" not in result.output
