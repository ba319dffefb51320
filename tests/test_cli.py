"""The command line as a user drives it: --db anywhere, the sql command, exit codes, help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import cli


def test_db_option_before_or_after_the_subcommand_and_from_env(
    tmp_path: Path, sample_zip: Path
) -> None:
    first, second, third = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    assert cli("--db", first, "import", sample_zip).exit_code == 0
    assert cli("import", sample_zip, "--db", second).exit_code == 0
    assert cli("import", sample_zip, env={"PIONEX_EXPORT_DB": str(third)}).exit_code == 0
    for path in (first, second, third):
        result = cli(
            "sql", "SELECT count(*) AS n FROM transactions", "--db", path, "--format", "csv"
        )
        assert result.stdout.splitlines() == ["n", "34"]


def test_sql_formats(db: Path, sample_zip: Path) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    query = "SELECT asset, amount FROM balances WHERE asset IN ('BTC', 'USDT') ORDER BY asset"
    as_json = json.loads(cli("--db", db, "sql", query, "--format", "json").stdout)
    assert as_json == [
        {"asset": "BTC", "amount": "0.01495"},
        {"asset": "USDT", "amount": "1770.073598769991226355"},
    ]
    table = cli("--db", db, "sql", query).stdout.splitlines()
    assert table[0].split() == ["asset", "amount"] and table[-1] == "(2 rows)"
    assert cli("--db", db, "sql", query, "--format", "csv").stdout.splitlines()[1] == "BTC,0.01495"


def test_sql_is_read_only_and_errors_are_clear(db: Path, sample_zip: Path) -> None:
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    result = cli("--db", db, "sql", "DELETE FROM transactions")
    assert result.exit_code == 1 and "SQL error" in result.stderr
    assert cli("--db", db, "sql", "SELEKT 1").exit_code == 1
    assert (
        cli(
            "--db", db, "sql", "SELECT count(*) FROM transactions", "--format", "csv"
        ).stdout.splitlines()[1]
        == "34"
    )


def test_usage_error_exits_2_and_version_works(db: Path) -> None:
    assert cli("export", "coinledger").exit_code == 2
    assert cli("--version").stdout.startswith("pionex-export, version ")


def test_every_command_has_help_with_an_example() -> None:
    for args in (["import"], ["export", "coinledger"], ["sql"], ["rebuild"], ["demo"]):
        result = cli(*args, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, args


def test_console_script_runs_the_demo_in_a_fresh_folder(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "exporter.cli", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        (out / "pionex.duckdb").exists()
        and (out / "coinledger.csv").exists()
        and (out / "import-report.txt").exists()
    )
    assert "coinledger CSV" in proc.stdout
