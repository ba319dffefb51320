"""Incremental derivation benchmark (issue 19): what an import or a fetch costs in a big history,
against the same command in a database without that history, measured in the same run.

- import of a 2,000-row month (bench/generate.py, moved to January 2030: after any generated
  history) into a database holding a 1M-row export, against the same import into an empty
  database. Target <= 1.5x: the derive re-reads the days the month touches, not the history.
- a fetch that finds nothing new (the simulator's account was fetched just before), into the
  1M-row database, against the same fetch into a database holding only the month and that
  earlier fetch (the month names the same pairs as the history, so both fetches ask the server
  the same questions). Target <= 1.2x: nothing new is derived, so nothing grows with the history.

Each command runs as users run it (the `pionex-export` console script) in its own child process,
from a fresh copy of its database; the fastest of `REPEAT` runs counts (bench/run.py: measure).

    python -m bench.bench_incremental [--smoke] [--history 200000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.generate import generate
from bench.measure import CHILD_ENV, Run, best_of, measure, tool_command
from exporter.simulator import SimConfig, start

FULL = {"history": 1_000_000, "month": 2_000, "repeat": 3}
SMOKE = {"history": 3_000, "month": 200, "repeat": 1}
SIM = SimConfig(seed=13, symbols=3, fills=300, days=10, rate_limit=400.0)
MONTH_YEAR = b'"2030-'  # the generator starts every export on 2024-01-01


def _month(rows: int, work: Path) -> Path:
    """A generated export of `rows` trading rows, moved from January 2024 to January 2030."""
    made = generate(rows, work / "month-2024", seed=11, form="folder")
    assert made.folder is not None
    target = work / "month" / made.name.replace("2024-", "2030-")
    if not target.exists():
        target.mkdir(parents=True)
        for path in made.folder.iterdir():
            (target / path.name).write_bytes(path.read_bytes().replace(b'"2024-', MONTH_YEAR))
    return target


def _tool(*args: str | Path) -> list[str]:
    return [*tool_command(), *map(str, args)]


def _copy(source: Path | None, target: Path) -> Callable[[], None]:
    """A `before` hook: `target` becomes a fresh copy of `source` (or is removed if None)."""

    def reset() -> None:
        for path in (target, target.with_name(target.name + ".wal")):
            path.unlink(missing_ok=True)
        if source is not None:
            shutil.copy(source, target)

    return reset


def _row(name: str, tool: Run, base: Run, limit: float, note: str) -> dict[str, Any]:
    ok = tool.ok and base.ok
    ratio = round(tool.seconds / base.seconds, 3) if ok and base.seconds else None
    load = max(tool.load, base.load)
    # CPU seconds move much less than wall time on a busy machine (bench/README.md).
    cpu = f"; cpu {tool.cpu:.2f} / {base.cpu:.2f} s" if ok and base.cpu else ""
    failure = "" if ok else "; " + (tool if not tool.ok else base).failure()
    return {
        "benchmark": name,
        "figure": round(tool.seconds, 3) if tool.ok else None,
        "unit": "s",
        "baseline": round(base.seconds, 3) if base.ok else None,
        "ratio": ratio,
        "peak_mib": round(tool.peak_mib, 1),
        "target": f"ratio <= {limit}",
        "passed": None if ratio is None else ratio <= limit,
        "note": f"{note}; load {load:.1f}{cpu}{failure}",
    }


def run(smoke: bool, history: int | None = None, workdir: Path | None = None) -> list[dict]:
    size = dict(SMOKE if smoke else FULL)
    if history:
        size["history"] = history
    temp = tempfile.TemporaryDirectory(prefix="pionex-bench-incr-") if workdir is None else None
    work = Path(temp.name if temp else workdir)  # type: ignore[arg-type]
    try:
        work.mkdir(parents=True, exist_ok=True)
        big = generate(size["history"], work / f"history-{size['history']}", seed=7, form="folder")
        month = _month(size["month"], work)
        history_db = work / f"history-{size['history']}.duckdb"
        if not history_db.exists():
            built = measure(_tool("--db", history_db, "import", big.folder))
            if not built.ok:
                raise RuntimeError(f"importing the history failed: {built.failure()}")
        db = work / "measured.duckdb"
        repeat = size["repeat"]
        month_import = _tool("--db", db, "import", month)
        into_history = best_of(repeat, month_import, _copy(history_db, db))
        into_empty = best_of(repeat, month_import, _copy(None, db))
        rows = [
            _row(
                f"import a {size['month']:,}-row month into a {size['history']:,}-row database",
                into_history,
                into_empty,
                1.5,
                "baseline: the same import into an empty database",
            )
        ]
        month_db = work / "month.duckdb"
        _copy(None, month_db)()
        made = measure(_tool("--db", month_db, "import", month))
        if not made.ok:
            raise RuntimeError(f"importing the month failed: {made.failure()}")
        rows.append(_nothing_new_fetch(work, history_db, month_db, db, repeat))
        return rows
    finally:
        if temp:
            temp.cleanup()


@contextmanager
def _child_env(env: dict[str, str]) -> Iterator[None]:
    """`env` added to what bench.measure.measure gives its children, for the block."""
    saved = dict(CHILD_ENV)
    CHILD_ENV.update(env)
    try:
        yield
    finally:
        CHILD_ENV.clear()
        CHILD_ENV.update(saved)


def _nothing_new_fetch(
    work: Path, history_db: Path, month_db: Path, db: Path, repeat: int
) -> dict[str, Any]:
    """The same fetch, finding nothing new, into the history and into the month's database."""
    config = work / "config.toml"
    with start(SIM) as sim:
        # Only a simulator may be given more than Pionex's 10 requests per second.
        config.write_text(
            f'[accounts.default]\nbase_url = "{sim.base_url}"\nrate_limit = {SIM.rate_limit}\n',
            encoding="utf-8",
        )
        env = {
            "PIONEX_EXPORT_CONFIG": str(config),
            "PIONEX_API_KEY": SIM.api_key,
            "PIONEX_API_SECRET": SIM.api_secret,
        }
        fetched_history = work / "fetched-history.duckdb"
        fetched_month = work / "fetched-month.duckdb"
        with _child_env(env):
            _copy(history_db, fetched_history)()
            _copy(month_db, fetched_month)()
            for target in (fetched_history, fetched_month):  # the first fetch lands everything
                first = measure(_tool("--db", target, "fetch"))
                if not first.ok:
                    raise RuntimeError(f"the first fetch failed: {first.failure()}")
            fetch = _tool("--db", db, "fetch")
            in_history = best_of(repeat, fetch, _copy(fetched_history, db))
            in_month = best_of(repeat, fetch, _copy(fetched_month, db))
        fills = len(sim.truth.fills)
    derived = "nothing new to derive" not in in_history.stdout
    return _row(
        "fetch finding nothing new, in the history database",
        in_history,
        in_month,
        1.2,
        f"{fills:,} fills fetched before; baseline: the same fetch into a database holding "
        f"only the month and them; {'DERIVED' if derived else 'derived nothing'}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--history", type=int, help="rows of the history (default 1,000,000)")
    parser.add_argument("--workdir", type=Path, help="keep generated data and databases here")
    args = parser.parse_args()
    started = time.monotonic()
    print(json.dumps(run(args.smoke, args.history, args.workdir), indent=2))
    print(f"({time.monotonic() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
