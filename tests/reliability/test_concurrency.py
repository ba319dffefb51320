"""Two commands on one database at once (cron overlapping a manual run): the second one fails
with a clear message while the first holds the file; nothing is corrupted, no row is lost."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.helpers import TRADING_HEADER, cli, query, write_csv
from tests.reliability.crash import cli_env, command, run_cli
from tests.reliability.dbcheck import export_snapshot, integrity_problems

BUSY = "is in use by another process: "
HOLD_READ_ONLY = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SELECT count(*) FROM transactions").fetchall()
print("holding", flush=True)
time.sleep(120)
"""


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    return generate(15_000, tmp_path_factory.mktemp("big"), seed=5, form="zip").zip_path  # type: ignore[return-value]


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _small_export(tmp_path_factory.mktemp("manual"))


@pytest.fixture(scope="module")
def clean(big_export: Path, manual: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    """Snapshots of clean sequential runs: the big export alone, and then the manual file."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    assert run_cli(["--db", db, "import", big_export]).returncode == 0
    alone = export_snapshot(db)
    assert cli("--db", db, "import", manual).exit_code == 0
    return {"alone": alone, "both": export_snapshot(db)}


def _small_export(folder: Path) -> Path:
    rows = [
        (
            f"2030-01-01 00:00:0{i}",
            "0.5",
            "50",
            "100",
            "BUY",
            "ETH_USDT",
            "0.1",
            "USDT",
            "Spot",
            "m",
        )
        for i in range(5)
    ]
    return write_csv(folder / "manual" / "trading.csv", TRADING_HEADER, rows)


def _start_import(db: Path, export: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        command(["--db", db, "import", export]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    # The writer holds DuckDB's file lock from the moment the file exists until it exits.
    deadline = time.monotonic() + 60
    while not db.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return child


@pytest.mark.parametrize(
    "second",
    [
        ("import",),
        ("export", "coinledger", "-o", "{out}"),
        ("sql", "SELECT count(*) FROM transactions"),
        ("rebuild",),
    ],
    ids=["import", "export", "sql", "rebuild"],
)
def test_second_command_during_an_import_fails_clearly_and_loses_nothing(
    second: tuple[str, ...],
    big_export: Path,
    manual: Path,
    clean: dict,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    db = tmp_path / "shared.duckdb"
    out = tmp_path / "out.csv"
    args = [a.replace("{out}", str(out)) for a in second]
    if args[0] == "import":
        args.append(str(manual))

    first = _start_import(db, big_export)
    assert first.poll() is None, "the first import finished before the overlap could be tried"
    overlapping = cli("--db", db, *args)
    still_running = first.poll() is None
    out_first, err_first = first.communicate(timeout=300)

    assert still_running, "the first import ended during the second command: no overlap tested"
    assert overlapping.exit_code == 1, overlapping.output
    assert BUSY in overlapping.stderr and str(db) in overlapping.stderr, overlapping.stderr
    assert "Traceback" not in overlapping.output
    assert not out.exists(), "a refused export must not leave a file"
    assert first.returncode == 0, err_first
    assert integrity_problems(db) == []

    # Once the first is done, the second goes through and both imports are whole.
    again = cli("--db", db, *args)
    assert again.exit_code == 0, again.output
    assert export_snapshot(db) == clean["both" if args[0] == "import" else "alone"]


def test_readers_do_not_block_each_other(seeded_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(seeded_db), read_only=True) as held:
        held.execute("SELECT count(*) FROM transactions").fetchall()
        result = cli("--db", seeded_db, "export", "coinledger", "-o", tmp_path / "c.csv")
        assert result.exit_code == 0, result.output
        listed = cli("--db", seeded_db, "sql", "SELECT count(*) AS n FROM ledger")
        assert listed.exit_code == 0, listed.output


def test_a_reader_in_another_process_makes_an_import_fail_clearly(
    seeded_db: Path, manual: Path
) -> None:
    before = query(seeded_db, "SELECT count(*) FROM raw_export_rows")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_ONLY, str(seeded_db)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = cli("--db", seeded_db, "import", manual)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1 and BUSY in result.stderr, result.output
    # DuckDB names the holder: here a Python process, not another pionex-export
    assert f"python{sys.version_info.major}" in result.stderr
    assert f"(PID {holder.pid}, " in result.stderr, result.stderr
    assert query(seeded_db, "SELECT count(*) FROM raw_export_rows") == before
    assert cli("--db", seeded_db, "import", manual).exit_code == 0
    assert integrity_problems(seeded_db) == []
