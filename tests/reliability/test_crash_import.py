"""Crash safety of `import` (docs/architecture.md, invariant 2): SIGKILL at random instants of a large import, then
rerun: the database equals a clean run's, and between kill and rerun it holds all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import query
from tests.reliability.crash import kill_delays, run_and_kill, run_cli
from tests.reliability.dbcheck import export_snapshot, integrity_problems


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Generated exports by row count, made once per module (the generator is deterministic)."""
    from bench.generate import generate

    made: dict[int, Path] = {}

    def make(rows: int) -> Path:
        if rows not in made:
            out = tmp_path_factory.mktemp(f"export{rows}")
            made[rows] = generate(rows, out, seed=11, form="zip").zip_path  # type: ignore[assignment]
        return made[rows]

    return make  # type: ignore[return-value]


def _raw_count(db: Path) -> int:
    """Raw rows held; 0 for a file killed before its first migration committed (no tables)."""
    found = query(
        db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_export_rows'"
    )
    if not found[0][0]:
        return 0
    return query(db, "SELECT count(*) FROM raw_export_rows")[0][0]


def crash_and_rerun(tmp_path: Path, export: Path, points: int, seed: int) -> None:
    clean_db = tmp_path / "clean.duckdb"
    clean = run_cli(["--db", clean_db, "import", export])
    assert clean.returncode == 0, clean.stderr
    expected = export_snapshot(clean_db)
    total = _raw_count(clean_db)
    assert integrity_problems(clean_db) == []

    kills = 0
    for i, delay in enumerate(kill_delays(seed, points, clean.seconds)):
        db = tmp_path / f"killed-{i}.duckdb"
        outcome = run_and_kill(["--db", db, "import", export], delay)
        kills += outcome.killed
        context = f"kill point {i} at {delay:.2f} s (killed={outcome.killed})"
        if db.exists():
            # One import is one transaction: after the kill it is wholly there or wholly absent.
            assert _raw_count(db) in (0, total), context
            assert integrity_problems(db) == [], context
        rerun = run_cli(["--db", db, "import", export])
        assert rerun.returncode == 0, (context, rerun.stderr)
        assert "Traceback" not in rerun.stderr
        assert integrity_problems(db) == [], context
        assert export_snapshot(db) == expected, context
        db.unlink()
        db.with_name(db.name + ".wal").unlink(missing_ok=True)
    # The delays span the run; most must land while it is still working.
    assert kills >= points // 2, f"only {kills} of {points} kills hit a running import"


def test_killed_import_reruns_to_the_clean_result(tmp_path: Path, exports) -> None:  # type: ignore[no-untyped-def]
    crash_and_rerun(tmp_path, exports(10_000), points=4, seed=1)


@pytest.mark.slow
def test_killed_200k_row_import_reruns_to_the_clean_result_at_20_points(
    tmp_path: Path,
    exports,  # type: ignore[no-untyped-def]
) -> None:
    crash_and_rerun(tmp_path, exports(200_000), points=20, seed=2)


HOLD_READ_ONLY = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
sys.stdin.read()
"""


def crash_beside_a_reader(
    tmp_path: Path, seeded: Path, export: Path, points: int, seed: int
) -> None:
    """The same kills while an analyst holds the file read-only, so the import writes a copy and
    renames it over the file: after each kill the path holds the old file or the new one, whole,
    and the rerun leaves no copy behind."""
    import shutil
    import subprocess
    import sys

    clean_db = tmp_path / "clean.duckdb"
    shutil.copyfile(seeded, clean_db)
    clean = run_cli(["--db", clean_db, "import", export])
    assert clean.returncode == 0, clean.stderr
    expected, old, new = export_snapshot(clean_db), _raw_count(seeded), _raw_count(clean_db)

    kills = 0
    for i, delay in enumerate(kill_delays(seed, points, clean.seconds * 1.3)):
        db = tmp_path / f"held-{i}.duckdb"
        shutil.copyfile(seeded, db)
        reader = subprocess.Popen(
            [sys.executable, "-c", HOLD_READ_ONLY, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "holding"
            outcome = run_and_kill(["--db", db, "import", export], delay)
            kills += outcome.killed
            context = f"kill point {i} at {delay:.2f} s (killed={outcome.killed})"
            assert _raw_count(db) in (old, new), context
            assert integrity_problems(db) == [], context
            rerun = run_cli(["--db", db, "import", export])
            assert rerun.returncode == 0, (context, rerun.stderr)
        finally:
            reader.kill()
            reader.wait()
        assert export_snapshot(db) == expected, context
        beside = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(db.name))
        assert beside == [db.name, db.name + ".write.lock"], (context, beside)
    assert kills >= points // 2, f"only {kills} of {points} kills hit a running import"


def test_killed_import_beside_a_reader_leaves_the_old_file_or_the_new(
    tmp_path: Path,
    exports,
    seeded_db: Path,  # type: ignore[no-untyped-def]
) -> None:
    crash_beside_a_reader(tmp_path, seeded_db, exports(10_000), points=4, seed=3)


@pytest.mark.slow
def test_killed_100k_row_import_beside_a_reader_at_8_points(
    tmp_path: Path,
    exports,
    seeded_db: Path,  # type: ignore[no-untyped-def]
) -> None:
    crash_beside_a_reader(tmp_path, seeded_db, exports(100_000), points=8, seed=4)
