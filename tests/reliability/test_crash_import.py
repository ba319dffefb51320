"""Crash safety of `import` (design.md 2.2): SIGKILL at random instants of a large import, then
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
