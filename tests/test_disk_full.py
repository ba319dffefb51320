"""A full disk: one sentence (which file system, nothing changed, free space and rerun), exit 1,
the database as it was and no temporary file left. Tested on a small tmpfs the test mounts
(root in CI); skipped where mounting is not permitted."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import TRADING_HEADER, cli, ledger_nets, query
from tests.reliability.test_bad_files import all_tables_digest


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(fs: Path, leave: int) -> Path:
    """Take all but `leave` bytes of the file system."""
    stats = os.statvfs(fs)
    filler = fs / "filler.bin"
    with filler.open("wb") as handle:
        remaining = stats.f_bavail * stats.f_frsize - leave
        while remaining > 0:
            chunk = min(remaining, 1024**2)
            handle.write(b"\0" * chunk)
            remaining -= chunk
    return filler


def _many_trades(path: Path, rows: int) -> Path:
    start = dt.datetime(2025, 8, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(TRADING_HEADER)
        for i in range(rows):
            at = (start + dt.timedelta(seconds=37 * i)).strftime("%Y-%m-%d %H:%M:%S")
            qty = f"0.{i % 97 + 1:03d}"
            writer.writerow((at, qty, f"{(i % 97 + 1) * 10}.5", "100.25", "BUY", "SOL_USDT",
                             "0.01", "USDT", "Spot", ""))  # fmt: skip
    return path


def _assert_one_plain_sentence(result, fs: Path) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert message.count("\n") == 1, message
    assert f"the file system holding {fs}" in message and "is full" in message, message
    assert "nothing was changed" in message and "free some space" in message
    assert "internal error" not in message and "memory" not in message


def test_import_on_a_full_disk_changes_nothing_and_a_rerun_equals_a_clean_run(
    small_fs: Path, tmp_path: Path, sample_zip: Path
) -> None:
    db = small_fs / "pionex.duckdb"
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    before = all_tables_digest(db)
    trades = _many_trades(tmp_path / "trading.csv", 20_000)
    filler = _fill(small_fs, 64 * 1024)

    result = cli("--db", db, "import", trades)

    _assert_one_plain_sentence(result, small_fs)
    filler.unlink()
    # No temporary file is left; the write lock (store/access.py) stays, as after any writer.
    assert sorted(p.name for p in small_fs.iterdir()) in (
        ["pionex.duckdb", "pionex.duckdb.write.lock"],
        ["pionex.duckdb", "pionex.duckdb.wal", "pionex.duckdb.write.lock"],
    )
    assert all_tables_digest(db) == before
    assert cli("--db", db, "import", trades).exit_code == 0
    clean = tmp_path / "clean.duckdb"
    assert cli("--db", clean, "import", sample_zip).exit_code == 0
    assert cli("--db", clean, "import", trades).exit_code == 0
    assert ledger_nets(db) == ledger_nets(clean)
    sql = "SELECT * EXCLUDE (import_id) FROM raw_export_rows ORDER BY raw_id"
    assert query(db, sql) == query(clean, sql)


@pytest.mark.parametrize(
    ("fmt", "name"), [("coinledger", "out.csv"), ("xlsx", "out.xlsx"), ("parquet", "out.parquet")]
)
def test_export_on_a_full_disk_keeps_the_earlier_output_and_leaves_no_temp_file(
    fmt: str, name: str, small_fs: Path, tmp_path: Path, sample_zip: Path
) -> None:
    db = tmp_path / "pionex.duckdb"
    assert cli("--db", db, "import", sample_zip).exit_code == 0
    assert cli("--db", db, "import", _many_trades(tmp_path / "trading.csv", 20_000)).exit_code == 0
    earlier = small_fs / name
    earlier.write_bytes(b"last year's export")
    _fill(small_fs, 16 * 1024)

    result = cli("--db", db, "export", fmt, "-o", earlier)

    _assert_one_plain_sentence(result, small_fs)
    assert earlier.read_bytes() == b"last year's export"
    assert sorted(p.name for p in small_fs.iterdir()) == sorted([name, "filler.bin"])
