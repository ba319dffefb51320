"""Two commands on one database at once (cron overlapping a manual run): the second one fails
with a clear message naming the first while it writes the file; nothing is corrupted, no row is
lost. A process that only reads the file (an analyst's notebook) does not stop a writer."""

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

BUSY = "is in use by"
# Holds the file open (read-only, or for writing with argv[2] == "rw"); each line on stdin asks it
# for its count of raw rows, which it prints.
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] != "rw")
print("holding", flush=True)
for _ in sys.stdin:
    print(con.execute("SELECT count(*) FROM raw_export_rows").fetchone()[0], flush=True)
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
    assert f"{first.pid}" in overlapping.stderr, "the message names the process holding the file"
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


def _hold(db: Path, mode: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def _ask(holder: subprocess.Popen[str]) -> int:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("count\n")
    holder.stdin.flush()
    return int(holder.stdout.readline())


def _leftovers(db: Path) -> list[str]:
    """Files beside the database that carry its name, other than it and its write lock."""
    known = {db.name, db.name + ".write.lock"}
    return sorted(
        p.name for p in db.parent.iterdir() if p.name.startswith(db.name) and p.name not in known
    )


def test_an_import_lands_while_another_process_reads_the_file(
    seeded_db: Path, manual: Path
) -> None:
    (before,) = query(seeded_db, "SELECT count(*) FROM raw_export_rows")[0]
    holder = _hold(seeded_db, "ro")
    try:
        assert _ask(holder) == before
        result = cli("--db", seeded_db, "import", manual)
        assert result.exit_code == 0, result.output
        # The reader keeps working on the file it opened; a fresh connection sees the import.
        assert _ask(holder) == before
        (after,) = query(seeded_db, "SELECT count(*) FROM raw_export_rows")[0]
        assert after == before + 5
        # A second writer while the reader still holds the old file: lands on the new one.
        assert cli("--db", seeded_db, "import", manual).exit_code == 0
        assert query(seeded_db, "SELECT count(*) FROM raw_export_rows")[0] == (after,)
        assert cli("--db", seeded_db, "rebuild").exit_code == 0
    finally:
        holder.kill()
        holder.wait()
    assert integrity_problems(seeded_db) == []
    assert _leftovers(seeded_db) == [], "no copy of the database is left behind"


def test_a_writer_in_another_process_is_waited_for_then_named(
    seeded_db: Path, manual: Path
) -> None:
    before = query(seeded_db, "SELECT count(*) FROM raw_export_rows")
    holder = _hold(seeded_db, "rw")
    try:
        started = time.monotonic()
        result = cli("--db", seeded_db, "--wait", "1.5", "import", manual)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1, result.output
    assert BUSY in result.stderr and f"PID {holder.pid}" in result.stderr, result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert 1.5 <= waited < 15
    assert query(seeded_db, "SELECT count(*) FROM raw_export_rows") == before
    assert _leftovers(seeded_db) == []
    assert cli("--db", seeded_db, "import", manual).exit_code == 0
    assert integrity_problems(seeded_db) == []
