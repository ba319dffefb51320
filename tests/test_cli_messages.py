"""Options and messages a newcomer meets: usage errors exit 2, odd paths just work, and each
failure says in one sentence what happened and what to do."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.helpers import cli, ledger_nets, query
from tests.ops_support import drop_sample_export, no_key_env, write_config
from tests.tax_readers import READERS

FORMATS = ("coinledger", "koinly", "cointracker", "cointracking", "turbotax", "bittytax")


@pytest.mark.parametrize("year", ["99999", "0", "-5", "2008"])
def test_an_impossible_year_is_a_usage_error(year: str, db: Path, tmp_path: Path) -> None:
    result = cli("--db", db, "export", "coinledger", "-o", tmp_path / "x.csv", "--year", year)
    assert result.exit_code == 2, result.output
    assert "--year" in result.stderr and "internal error" not in result.output
    assert not (tmp_path / "x.csv").exists()


def test_paths_with_an_apostrophe_work_everywhere(tmp_path: Path, sample_zip: Path) -> None:
    home = tmp_path / "o'brien's files"
    home.mkdir()
    export = home / "pionex's export.zip"
    export.write_bytes(sample_zip.read_bytes())
    db = home / "it's.duckdb"
    imported = cli("--db", db, "import", export)
    assert imported.exit_code == 0, imported.output
    for fmt in FORMATS:
        result = cli("--db", db, "export", fmt, "-o", home / f"it's {fmt}.csv")
        assert result.exit_code == 0, (fmt, result.output)
    assert READERS["coinledger"].nets(home / "it's coinledger.csv") == ledger_nets(db)
    split = cli("--db", db, "export", "koinly", "-o", home / "it's.csv", "--max-rows", "10")
    assert split.exit_code == 0 and (home / "it's.part1.csv").exists(), split.output
    for target in (home / "it's.parquet", home / "parquet folder's"):
        assert cli("--db", db, "export", "parquet", "-o", target).exit_code == 0
    assert (home / "it's.ledger.parquet").exists()
    assert (home / "parquet folder's" / "transactions.parquet").exists()
    assert cli("--db", db, "export", "xlsx", "-o", home / "it's.xlsx").exit_code == 0
    leftovers = [p.name for p in home.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("fmt", ["coinledger", "xlsx", "parquet"])
def test_an_export_of_an_empty_period_says_so_and_names_the_historys_span(
    fmt: str, db: Path, sample_zip: Path, tmp_path: Path
) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    first, last = query(
        db, "SELECT min(occurred_at)::DATE, max(occurred_at)::DATE FROM transactions"
    )[0]
    out = tmp_path / ("x.xlsx" if fmt == "xlsx" else "x.parquet" if fmt == "parquet" else "x.csv")
    result = cli("--db", db, "export", fmt, "-o", out, "--year", "2023")
    assert result.exit_code == 0, result.output
    assert "no transactions from 2023-01-01 to 2023-12-31" in result.stderr
    assert f"this history runs from {first} to {last}" in result.stderr
    inside = cli("--db", db, "export", fmt, "-o", out, "--year", str(first.year))
    assert inside.exit_code == 0 and "no transactions" not in inside.output


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_wrong_base_url_fails_fast_with_what_to_check(db: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    env = {"PIONEX_API_KEY": "sim-api-key", "PIONEX_API_SECRET": "sim-api-secret"}
    started = time.monotonic()
    result = cli("--db", db, "fetch", "--base-url", url, env=env)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    assert f"cannot connect to {url}" in result.stderr and "--base-url" in result.stderr
    assert "sim-api-secret" not in result.output


def test_sync_without_a_key_says_in_its_summary_that_the_fetch_was_skipped_and_logs_each_run(
    tmp_path: Path,
) -> None:
    db, inbox, log = tmp_path / "p.duckdb", tmp_path / "inbox", tmp_path / "sync.log"
    inbox.mkdir()
    config = write_config(tmp_path / "cfg" / "config.toml", db, {"default": {"inbox": inbox}})
    env = no_key_env(config)
    drop_sample_export(inbox)
    first = cli("--log-file", log, "sync", env=env)
    assert first.exit_code == 3, first.output  # the sample leaves a gap: problems to look at
    (summary,) = first.stdout.splitlines()
    assert summary.startswith("sync default: 1 new file(s) imported")
    assert "API fetch skipped: no key (set PIONEX_API_KEY and PIONEX_API_SECRET" in summary
    assert "init --account default --store-credentials" in summary
    quiet = cli("--log-file", log, "sync", env=env)
    assert (quiet.exit_code, quiet.stdout) == (0, "")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines if "exit status" in line] == [
        "exit status 3",
        "exit status 0",
    ]
    summaries = [line.split("exporter: ", 1)[1] for line in lines if "exporter: sync " in line]
    assert len(summaries) == 2 and summaries[0] == summary
    assert summaries[1].startswith("sync default: nothing new; API fetch skipped: no key")


def test_help_texts_match_the_program(tmp_path: Path, sample_zip: Path) -> None:
    from exporter.app.lock import EXIT_LOCKED
    from exporter.app.sync import EXIT_ATTENTION
    from exporter.errors import UserError
    from exporter.outputs.xlsx import KIND_SHEETS

    top = cli("--help").stdout
    for code in (0, 1, 2, EXIT_ATTENTION, EXIT_LOCKED, 130, UserError.exit_code):
        assert f" {code} " in top, code
    assert "$PIONEX_EXPORT_DB" in top and "config.toml" in top and "./pionex.duckdb" in top
    assert ".xlsx" in cli("import", "--help").stdout

    db = tmp_path / "p.duckdb"
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    assert cli("--db", db, "export", "xlsx", "-o", tmp_path / "w.xlsx").exit_code == 0
    import openpyxl

    written = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True).sheetnames
    possible = {"Summary", "Transactions", *KIND_SHEETS, "Needs review"}
    assert set(written) <= possible
    helptext = " ".join(cli("export", "xlsx", "--help").stdout.split())
    for name in possible:
        assert name in helptext, name
    assert "Ledger" not in helptext


def test_init_creates_the_export_folder_as_it_creates_the_inbox(tmp_path: Path) -> None:
    config = tmp_path / "cfg" / "config.toml"
    inbox, exports = tmp_path / "in" / "box", tmp_path / "out" / "exports"
    env = no_key_env(config)
    result = cli("init", "--inbox", inbox, "--export-dir", exports, "--no-check", env=env)
    assert result.exit_code == 0, result.output
    assert inbox.is_dir() and exports.is_dir()
    assert f"created export folder {exports}" in result.output
