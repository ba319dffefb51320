"""The monthly cron beside an analyst: `pionex-export sync` of a new month into a database with a
long history, without and with another process holding the file open read-only the whole time.

    python -m bench.bench_cron [--smoke] [--rows N] [--month-rows N] [--workdir DIR]

An analyst's notebook or SQL GUI holding the file read-only makes the writer work on a copy
(`store/access.py`: copy to `<db>.swap`, write, checkpoint, rename over the original), so the
holder costs at least one copy of the whole file. Both syncs start from copies of the same
database (the history imported, not timed), with the same inbox (the month's new export: the
generator's, with another seed, so its rows are new) and no API key, as the README's "Running from
cron" sets them up with `init`. A third row times the copy alone
(the same `shutil.copyfile` of the same file), to tell the copy's share from the rest.

Rows for bench/run.py (ROW_MODULES "cron"): `run(smoke) -> list[dict]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.generate import generate

REPO = Path(__file__).resolve().parents[1]
FULL = {"rows": 1_000_000, "month_rows": 2_000}
SMOKE = {"rows": 3_000, "month_rows": 200}
RATIO_TARGET = 1.5
ACCOUNT = "default"
# Exit codes of a sync that did its work: 0, or 3 when the completeness check found something to
# look at (a generated history has negative balances: its bots' funding is not in the files).
SYNC_DONE = (0, 3)
# Holds the database open read-only until stdin closes; on each line it prints its count of raw
# rows, so the bench can tell that it read the old file the whole time.
HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM raw_export_rows").fetchone()[0], flush=True)
for _ in sys.stdin:
    print(con.execute("SELECT count(*) FROM raw_export_rows").fetchone()[0], flush=True)
"""


def _env(config: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PIONEX_API_KEY", "PIONEX_API_SECRET", "PIONEX_EXPORT_DB", "NO_COLOR")
    }
    env["PIONEX_EXPORT_CONFIG"] = str(config)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env


def _tool() -> list[str]:
    script = Path(sys.executable).with_name("pionex-export")
    return [str(script)] if script.exists() else [sys.executable, "-m", "exporter.cli"]


def _measure(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Wall and CPU seconds, peak MiB and exit code of one child process."""
    with tempfile.TemporaryFile() as out:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        return {
            "seconds": seconds,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024,
            "code": os.waitstatus_to_exitcode(status),
            "output": out.read().decode("utf-8", "replace"),
            "load": load,
        }


def _raw_rows(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM raw_export_rows").fetchone()[0]  # type: ignore[index]


def _failure(step: str, run: dict[str, Any]) -> RuntimeError:
    tail = " | ".join(run["output"].strip().splitlines()[-3:])
    return RuntimeError(f"{step} failed with exit code {run['code']}: {tail}")


def _sync(base: Path, work: Path, env: dict[str, str], held: bool) -> dict[str, Any]:
    """One sync of the inbox into a fresh copy of `base`, with a read-only holder if `held`."""
    db = work / "cron.duckdb"
    for leftover in (db, db.with_name(db.name + ".wal"), work / "exports"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink(missing_ok=True)
    shutil.copyfile(base, db)
    holder = None
    if held:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdin is not None
        before = int(holder.stdout.readline())
    try:
        run = _measure([*_tool(), "--db", str(db), "sync"], env)
        if holder is not None:
            assert holder.stdout is not None and holder.stdin is not None
            holder.stdin.write("count\n")
            holder.stdin.flush()
            run["holder_saw"] = (before, int(holder.stdout.readline()))
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
    if run["code"] not in SYNC_DONE:
        raise _failure("sync" + (" beside a reader" if held else ""), run)
    run["rows_after"] = _raw_rows(db)
    return run


def measure(rows: int, month_rows: int, workdir: Path | None = None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="pionex-bench-cron-", dir=workdir) as tmp:
        work = Path(tmp)
        history = generate(rows, work / "history", seed=7, form="folder")
        inbox = work / "inbox"
        month = generate(month_rows, work / "month", seed=19, form="folder")
        inbox.mkdir()
        shutil.move(str(month.folder), inbox / month.folder.name)
        config = work / "config" / "config.toml"
        env = _env(config)
        base = work / "history.duckdb"
        setup = _measure([*_tool(), "--db", str(base), "import", str(history.folder)], env)
        if setup["code"] != 0:
            raise _failure("import of the history", setup)
        shutil.rmtree(history.folder)
        history_raw = _raw_rows(base)
        init = _measure(
            [
                *_tool(),
                "--account",
                ACCOUNT,
                "init",
                "--inbox",
                str(inbox),
                "--export-dir",
                str(work / "exports"),
                "--no-check",
            ],
            env,
        )
        if init["code"] != 0:
            raise _failure("init", init)
        alone = _sync(base, work, env, held=False)
        held = _sync(base, work, env, held=True)
        size = base.stat().st_size
        started = time.perf_counter()
        shutil.copyfile(base, work / "copy.duckdb")  # what access.py does before writing
        copy_seconds = time.perf_counter() - started
    history_rows = f"{history.rows['trading.csv']:,}-row history"
    new_rows = alone["rows_after"] - history_raw
    same = held["rows_after"] == alone["rows_after"]
    saw = held.get("holder_saw")
    note = (
        f"{history_rows} ({size / 1024**2:,.0f} MiB file), inbox of a "
        f"{month.rows['trading.csv']:,}-row month; no API key; the reader held the file "
        f"throughout and read {saw[0]:,} raw rows before and after the sync"
        if saw and saw[0] == saw[1]
        else "the reader did not keep reading the old file"
    )
    ratio = held["seconds"] / alone["seconds"]
    load = max(alone["load"], held["load"])
    return [
        {
            "benchmark": "sync beside a read-only holder of the file",
            "figure": round(held["seconds"], 2),
            "unit": "s",
            "baseline": round(alone["seconds"], 2),
            "ratio": round(ratio, 3),
            "cpu_ratio": round(held["cpu"] / alone["cpu"], 3) if alone["cpu"] else None,
            "peak_mib": round(max(held["peak_mib"], alone["peak_mib"]), 1),
            "target": f"ratio <= {RATIO_TARGET}",
            "passed": ratio <= RATIO_TARGET and same and bool(saw) and saw[0] == saw[1],
            "note": note if same else f"{note}; the two syncs stored different rows",
            "load": load,
        },
        {
            "benchmark": "sync: the swap's copy of the file alone",
            "figure": round(copy_seconds, 3),
            "unit": "s",
            "baseline": round(alone["seconds"], 2),
            "ratio": round(copy_seconds / alone["seconds"], 4),
            "target": "info",
            "passed": None,
            "note": (
                f"shutil.copyfile of the {size / 1024**2:,.0f} MiB database, as store/access.py "
                f"copies it; the sync landed {new_rows:,} new raw rows"
            ),
            "load": load,
        },
    ]


def run(smoke: bool) -> list[dict[str, Any]]:
    size = SMOKE if smoke else FULL
    return measure(size["rows"], size["month_rows"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--rows", type=int, help="trading rows of the history (default 1,000,000)")
    parser.add_argument("--month-rows", type=int, help="trading rows of the new month (2,000)")
    parser.add_argument("--workdir", type=Path, help="where the temp dir goes (default: /tmp)")
    args = parser.parse_args()
    size = SMOKE if args.smoke else FULL
    started = time.monotonic()
    rows = measure(args.rows or size["rows"], args.month_rows or size["month_rows"], args.workdir)
    print(json.dumps(rows, indent=2))
    print(f"({time.monotonic() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
