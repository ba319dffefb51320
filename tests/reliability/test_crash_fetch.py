"""Crash safety of `fetch` (docs/architecture.md, invariant 2): `pionex-export fetch` SIGKILLed at random instants
against the simulator, then rerun: the database equals a clean fetch's (same raw records,
transactions and ledger; no duplicates; no records of a run that does not exist)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exporter.simulator import RunningSimulator, start
from tests.reliability.api import account_config, cli_settings
from tests.reliability.crash import kill_delays, run_and_kill, run_cli
from tests.reliability.dbcheck import api_snapshot, integrity_problems

RATE = 400.0


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with start(account_config(rate_limit=RATE)) as running:
        yield running


def crash_and_rerun(tmp_path: Path, sim: RunningSimulator, points: int, seed: int) -> None:
    env = cli_settings(tmp_path, sim.base_url, RATE)
    # The kill points are spread over a clean fetch's duration, so it must be what the killed
    # fetches take: one clean fetch slowed by a burst of load elsewhere put 12 of 20 kills after
    # the fetch had ended (CI, load ~5). The quicker of two clean fetches is the estimate.
    first = run_cli(["--db", tmp_path / "first-clean.duckdb", "fetch"], env)
    assert first.returncode == 0, first.stderr
    clean_db = tmp_path / "clean.duckdb"
    clean = run_cli(["--db", clean_db, "fetch"], env)
    assert clean.returncode == 0, clean.stderr
    expected = api_snapshot(clean_db)
    assert expected["records"][0] > 0  # type: ignore[index]

    kills = 0
    for i, delay in enumerate(kill_delays(seed, points, min(first.seconds, clean.seconds))):
        db = tmp_path / f"killed-{i}.duckdb"
        outcome = run_and_kill(["--db", db, "fetch"], delay, env)
        kills += outcome.killed
        context = f"kill point {i} at {delay:.2f} s (killed={outcome.killed})"
        if db.exists():
            assert integrity_problems(db) == [], context
        rerun = run_cli(["--db", db, "fetch"], env)
        assert rerun.returncode == 0, (context, rerun.stderr)
        assert integrity_problems(db) == [], context
        assert api_snapshot(db) == expected, context
    assert kills >= points // 2, f"only {kills} of {points} kills hit a running fetch"
    # The fetches only ever read.
    assert {(r.method) for r in sim.requests} == {"GET"}


def test_killed_fetch_reruns_to_the_clean_result(
    tmp_path: Path, simulator: RunningSimulator
) -> None:
    crash_and_rerun(tmp_path, simulator, points=4, seed=1)


@pytest.mark.slow
def test_killed_fetch_reruns_to_the_clean_result_at_20_points(
    tmp_path: Path, simulator: RunningSimulator
) -> None:
    crash_and_rerun(tmp_path, simulator, points=20, seed=2)
