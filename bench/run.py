"""Run every benchmark and print one table: figure, baseline measured in the same run, ratio,
peak memory, target, pass/miss.

    python -m bench.run            # full sizes (1M-row import/exports, 5M-row memory run); by hand
    python -m bench.run --smoke    # tiny sizes, a few seconds: what CI runs to keep this working

Each measured command runs in its own child process; its wall time is taken around the child and
its peak resident memory comes from `os.wait4` (the kernel's high-water mark for exactly that
child). The tool is run as users run it (the `pionex-export` console script); baselines are the
modules of `bench/baselines/`, doing the same job with DuckDB or XlsxWriter directly, each in its
own process, so both pay the same interpreter start-up. Results also go to
`bench/results/latest.json` (`latest-smoke.json` for `--smoke`). See bench/README.md for what
each baseline is and why.

A benchmark module adds its own rows: each of ROW_MODULES exposes `run(smoke: bool) -> list[dict]`
(keys: benchmark, figure, unit, baseline, ratio, peak_mib, target, passed, note).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from xml.sax.saxutils import unescape

from bench import bench_backfill_xlsx, bench_cron, bench_fetch, bench_incremental
from bench import generate as generate_module
from bench.generate import GeneratedExport, generate
from bench.measure import Run, alternating_best_of, best_of, measure, tool_command

BENCH_DIR = Path(__file__).resolve().parent
# Benchmarks that live in their own module (name for --only -> module with run(smoke)).
ROW_MODULES = {"fetch": bench_fetch, "incremental": bench_incremental, "cron": bench_cron}
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_WORKDIR = BENCH_DIR / "data"
MEMORY_LIMIT_MIB = 1536.0
REPO = BENCH_DIR.parent

# Exports that refuse the generated history as it is, and the option that makes them write it:
# the generator's bots leave balances that dip below zero (funds moved into bots), which rp2
# refuses unless asked for balancing rows.
EXPORT_ARGS = {"rp2": ("--balance-rows",)}


def in_child(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """`function(*args, **kwargs)` run in a fresh (spawned) process, for work that needs memory.

    A child's peak RSS, what measure() reports, starts at this process's RSS when it forks
    (Linux keeps the high-water mark across exec). Generating the 10M-row export here left this
    process at ~1.6 GB, storing its prices (DuckDB reading the whole ledger) at ~1.9 GB, and
    every command measured after that reported it as its own peak."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as child:
        return child.submit(function, *args, **kwargs).result()


def store_generated_prices(db: Path) -> None:
    """Give every coin of the history a daily close, as `pionex-export prices` would store (the
    bench has no network): so `export rp2`, which needs a USD price on every row, writes the whole
    history instead of refusing it. Not measured: it prepares the data, like the generator."""
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute("""
            INSERT INTO prices
            SELECT a.asset, d.day, 1 + (hash(a.asset || d.day::VARCHAR) % 100000) / 1000,
                   a.asset || '_USDT', 'bench', now()
            FROM (SELECT DISTINCT asset FROM ledger WHERE asset IS NOT NULL) a,
                 (SELECT DISTINCT occurred_at::DATE AS day FROM ledger) d
            ON CONFLICT DO NOTHING""")


@dataclass
class Result:
    benchmark: str
    figure: float | None
    unit: str  # s | requests | MiB | files
    baseline: float | None = None
    ratio: float | None = None
    peak_mib: float | None = None
    target: str = ""
    passed: bool | None = None  # None: informational or skipped
    note: str = ""
    load: float | None = None  # 1-minute load average when the measurement started
    cpu_ratio: float | None = (
        None  # tool CPU seconds / baseline CPU seconds (steadier on a busy machine)
    )


def baseline(name: str, *args: str) -> list[str]:
    """The command of baseline `bench/baselines/<name>.py`: the same job done directly by the
    library the tool is built on, in its own process like the tool."""
    return [sys.executable, "-m", f"bench.baselines.{name}", *args]


def xlsx_shapes(path: Path) -> list[tuple[str, int, int]]:
    """(sheet name, rows, columns) of every worksheet: rows x columns from its <dimension>, the
    name from the workbook's sheet list (XlsxWriter numbers sheet files in that order)."""
    import re

    shapes = []
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode("utf-8")
        names = [unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', book)]
        files = sorted(
            (n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n)),
        )
        for index, name in enumerate(files):
            title = names[index] if index < len(names) else Path(name).stem
            with zf.open(name) as f:
                head = f.read(4096).decode("utf-8", "replace")
            m = re.search(r'<dimension ref="[A-Z]+(\d+)(?::([A-Z]+)(\d+))?"', head)
            if not m or not m.group(2):
                shapes.append((title, 1, 1))
                continue
            col = 0
            for ch in m.group(2):
                col = col * 26 + (ord(ch) - 64)
            shapes.append((title, int(m.group(3)) - int(m.group(1)) + 1, col))
    return shapes


def ratio_result(name: str, tool: Run, base: Run, limit: float, note: str = "") -> Result:
    target = f"ratio <= {limit}"
    result = Result(
        name, None, "s", None, None, tool.peak_mib, target, None, note, max(tool.load, base.load)
    )
    if not tool.ok:
        result.passed, result.note = False, tool.failure()
    elif not base.ok:
        result.figure, result.note = tool.seconds, "baseline failed: " + base.failure()
    else:
        result.figure, result.baseline = tool.seconds, base.seconds
        result.ratio = tool.seconds / base.seconds
        result.cpu_ratio = tool.cpu / base.cpu if base.cpu else None
        result.passed = result.ratio <= limit
    return result


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def export_formats() -> list[str]:
    """Every format of `pionex-export export`, from the command group itself."""
    from exporter.cli import export_group

    return sorted(export_group.commands)


class Bench:
    def __init__(self, args: argparse.Namespace, on_result=None) -> None:
        self.args = args
        self.on_result = on_result
        self.work = Path(args.workdir)
        self.work.mkdir(parents=True, exist_ok=True)
        self.tool = tool_command()
        self.results: list[Result] = []

    def log(self, message: str) -> None:
        if not self.args.quiet:
            print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def add(self, result: Result) -> None:
        cores = os.cpu_count() or 1
        if result.load is not None and result.load > cores:
            busy = f"busy machine: load {result.load:.1f} on {cores} cores when measured"
            result.note = f"{result.note}; {busy}" if result.note else busy
        self.results.append(result)
        if self.on_result:
            self.on_result()
        self.log(
            f"{result.benchmark}: {fmt_figure(result)} ratio={fmt_num(result.ratio)} "
            f"peak={fmt_num(result.peak_mib)} MiB {result.note}"
        )

    def dataset(self, rows: int, form: str = "both") -> GeneratedExport:
        """The generated export for `rows`, reused when already on disk (generation is deterministic)."""
        # keyed by the generator's source too: a changed generator never reuses stale data
        version = hashlib.sha256(Path(generate_module.__file__).read_bytes()).hexdigest()[:8]
        target = self.work / f"export_{rows}_seed{self.args.seed}_{version}"
        marker = target / "done.json"
        if marker.exists():
            meta = json.loads(marker.read_text())
            return GeneratedExport(
                meta["name"], target / meta["name"], target / f"{meta['name']}.zip", meta["rows"]
            )
        if target.exists():
            shutil.rmtree(target)
        self.log(f"generating a {rows:,}-row export in {target}")
        gen = in_child(generate, rows, target, seed=self.args.seed, form=form)
        marker.write_text(json.dumps({"name": gen.name, "rows": gen.rows}))
        self.log(f"generated in {gen.seconds:.1f} s")
        return gen

    def cli(self, db: Path, *args: str) -> list[str]:
        return [*self.tool, "--db", str(db), *args]

    @staticmethod
    def fresh(*paths: Path):
        def reset() -> None:
            for p in paths:
                for q in (p, p.with_name(p.name + ".wal")):
                    if q.is_dir():
                        shutil.rmtree(q)
                    elif q.exists():
                        q.unlink()

        return reset

    # --- benchmarks -------------------------------------------------------------------------

    def import_and_exports(self) -> None:
        rows, repeat = self.args.rows, self.args.repeat
        gen = self.dataset(rows)
        trading = gen.folder / "trading.csv"
        base_db = self.work / "baseline.duckdb"
        db = self.work / f"bench_{rows}.duckdb"

        self.log("baseline: DuckDB CREATE TABLE AS SELECT * FROM read_csv(trading.csv)")
        base = best_of(
            repeat, baseline("import_bare", str(base_db), str(trading)), self.fresh(base_db)
        )
        self.fresh(base_db)()

        self.log("baseline: DuckDB read_csv(trading.csv) into TIMESTAMP and DECIMAL(38,18) columns")
        decimal_script = baseline("import_decimal", str(base_db), str(trading))
        decimal = best_of(repeat, decimal_script, self.fresh(base_db))
        self.fresh(base_db)()

        # The issue-19 ratio: the floor and the import run in turns, each the fastest of its runs.
        self.log("floor (DuckDB alone storing trading.csv) and the import, in turns")
        ddl = REPO / "schemas" / "001_core.sql"
        floor_script = baseline("import_floor", str(base_db), str(trading), str(ddl))
        floor, tool = alternating_best_of(
            repeat,
            floor_script,
            self.cli(db, "import", str(gen.folder)),
            self.fresh(base_db),
            self.fresh(db),
        )
        self.fresh(base_db)()
        total = sum(gen.rows.values())
        self.add(
            ratio_result(
                f"import {gen.rows['trading.csv']:,}-row export, fresh db",
                tool,
                base,
                2.5,
                f"{total:,} rows in 10 files; baseline reads trading.csv only",
            )
        )
        # Issue 19: the import within 1.2x of DuckDB alone doing the same storing job.
        against_floor = ratio_result("import, against the floor of the same job", tool, floor, 1.2)
        if floor.ok and base.ok:
            against_floor.note = (
                f"floor: DuckDB SQL alone writes the same raw rows and transactions of "
                f"trading.csv, {floor.seconds / base.seconds:.2f}x the bare read_csv"
            )
        self.add(against_floor)
        against_decimal = ratio_result(
            "import, against read_csv into DECIMAL(38,18) columns", tool, decimal, 0
        )
        against_decimal.target = "report"
        against_decimal.passed = None if tool.ok and decimal.ok else False
        if decimal.ok and base.ok:
            against_decimal.note = (
                f"baseline: read_csv typing the date TIMESTAMP and the amounts DECIMAL(38,18), "
                f"{decimal.seconds / base.seconds:.2f}x the bare read_csv (doubles)"
            )
        self.add(against_decimal)
        if not tool.ok:
            return
        self.log("re-import of the same export (every row already present)")
        again = best_of(repeat, self.cli(db, "import", str(gen.folder)))
        self.add(ratio_result("re-import same export (all present)", again, base, 1.5))

        zip_db = self.work / f"bench_{rows}_zip.duckdb"
        zipped = best_of(1, self.cli(zip_db, "import", str(gen.zip_path)), self.fresh(zip_db))
        self.fresh(zip_db)()
        result = ratio_result("import same export as .zip, fresh db", zipped, base, 0)
        result.target, result.passed = "info (unzip included)", None if zipped.ok else False
        self.add(result)

        self.export_coinledger(db, repeat)

    def full_workbook(self) -> None:
        """`export xlsx --full` of the --rows database (imported first, untimed, when `import`
        did not run before it): a step of its own, as it takes minutes at 1M rows."""
        rows = self.args.rows
        db = self.work / f"bench_{rows}.duckdb"
        if not db.exists():
            self.log(f"importing the {rows:,}-row export for the workbook (not measured)")
            imported = measure(self.cli(db, "import", str(self.dataset(rows).folder)))
            if not imported.ok:
                self.fresh(db)()
                self.add(ratio_result("export xlsx", imported, imported, 1.0))
                return
        self.export_xlsx(db, self.args.repeat)

    def export_coinledger(self, db: Path, repeat: int) -> None:
        out, base_out = self.work / "coinledger.csv", self.work / "coinledger_baseline.csv"
        self.log("export coinledger")
        tool = best_of(
            repeat, self.cli(db, "export", "coinledger", "-o", str(out)), self.fresh(out)
        )
        base = best_of(
            repeat,
            baseline("coinledger", str(db), str(base_out)),
            self.fresh(base_out),
        )
        note = ""
        if tool.ok and base.ok:
            tool_rows = count_lines(out) - 1
            base_rows = count_lines(base_out) - 1
            note = f"{tool_rows:,} rows written (baseline {base_rows:,})"
        self.add(
            ratio_result(
                "export coinledger",
                tool,
                base,
                1.5,
                note,
            )
        )

    def export_xlsx(self, db: Path, repeat: int) -> None:
        out, base_out = self.work / "workbook.xlsx", self.work / "workbook_baseline.xlsx"
        self.log("export xlsx")
        cmd = self.cli(db, "export", "xlsx", "--full", "-o", str(out))  # every row, as the baseline
        tool = best_of(repeat, cmd, self.fresh(out))
        if not tool.ok:
            self.add(ratio_result("export xlsx", tool, tool, 1.0))
            return
        shapes = xlsx_shapes(out)
        cells = sum(r * c for _, r, c in shapes)
        base = best_of(
            repeat,
            baseline("xlsx", str(db), str(base_out), json.dumps(shapes)),
            self.fresh(base_out),
        )
        self.add(
            ratio_result(
                "export xlsx",
                tool,
                base,
                1.0,
                f"{len(shapes)} sheets, {cells:,} cells; baseline writes the same shapes",
            )
        )

    def module_rows(self, name: str, module) -> None:  # type: ignore[no-untyped-def]
        """The rows of a benchmark module (`run(smoke) -> list[dict]`, see ROW_MODULES)."""
        try:
            rows = module.run(self.args.smoke)
        except Exception as exc:  # a broken module must not hide the other results
            self.add(
                Result(name, None, "s", passed=False, note=f"{module.__name__}.run failed: {exc!r}")
            )
            return
        for row in rows:
            self.add(result_from_dict(row))

    def backfill_xlsx(self) -> None:
        """bench/bench_backfill_xlsx.py: the default workbook of a --memory-rows history."""
        for row in bench_backfill_xlsx.run(self.args.smoke, self.work, self.args.memory_rows):
            self.add(result_from_dict(row))

    def memory(self) -> None:
        """Import the --memory-rows zip, then run every export format, each in its own process."""
        rows = self.args.memory_rows
        gen = self.dataset(rows)
        db = self.work / f"memory_{rows}.duckdb"
        self.fresh(db)()
        self.log(f"peak memory: import of the {rows:,}-row zip, then every export format")
        steps: list[tuple[str, Run]] = []

        def step(name: str, run: Run) -> None:
            steps.append((name, run))
            self.log(
                f"  {name}: {run.seconds:.1f} s, peak {run.peak_mib:.0f} MiB"
                + ("" if run.ok else " FAILED")
            )

        step("import", measure(self.cli(db, "import", str(gen.zip_path))))
        if steps[0][1].ok:
            in_child(store_generated_prices, db)
            for fmt in export_formats():
                out = self.work / f"memory_out.{fmt}"
                self.fresh(out)()
                run = measure(
                    self.cli(db, "export", fmt, "-o", str(out), *EXPORT_ARGS.get(fmt, ()))
                )
                # some formats write companions beside -o (parquet: one file per table)
                self.fresh(*self.work.glob("memory_out*"))()
                step(fmt, run)
        self.fresh(db)()
        failed = [f"{name}: {run.failure()}" for name, run in steps if not run.ok]
        peak_name, peak = max(steps, key=lambda s: s[1].peak_mib)
        per_step = ", ".join(f"{name} {run.peak_mib:.0f}" for name, run in steps)
        self.add(
            Result(
                f"peak memory, import + {len(steps) - 1} exports of {gen.rows['trading.csv']:,} rows",
                peak.peak_mib,
                "MiB",
                None,
                None,
                peak.peak_mib,
                f"<= {MEMORY_LIMIT_MIB:.0f} MiB",
                (peak.peak_mib <= MEMORY_LIMIT_MIB) and not failed,
                f"MiB per step: {per_step}" + (f"; FAILED {'; '.join(failed)}" if failed else ""),
                load=max(run.load for _, run in steps),
            )
        )

    def run(self) -> list[Result]:
        only = set(self.args.only or [])
        plan = [("import", self.import_and_exports), ("xlsx", self.full_workbook)]
        plan += [
            (name, partial(self.module_rows, name, module)) for name, module in ROW_MODULES.items()
        ]
        plan += [("memory", self.memory), ("backfill", self.backfill_xlsx)]
        for name, step in plan:
            if not only or name in only:
                step()
        return self.results


def result_from_dict(row: dict) -> Result:
    passed = row.get("passed", row.get("pass"))
    return Result(
        benchmark=str(row.get("benchmark") or row.get("name") or "fetch"),
        figure=row.get("figure", row.get("value")),
        unit=str(row.get("unit", "s")),
        baseline=row.get("baseline"),
        ratio=row.get("ratio"),
        peak_mib=row.get("peak_mib"),
        target=str(row.get("target", "")),
        passed=None if passed is None else bool(passed),
        note=str(row.get("note", "")),
        load=row.get("load"),
        cpu_ratio=row.get("cpu_ratio"),
    )


def fmt_num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def fmt_figure(r: Result, value: float | None = None) -> str:
    value = r.figure if value is None else value
    if value is None:
        return "-"
    if r.unit not in ("s", "MiB") and float(value).is_integer():
        return f"{int(value):,} {r.unit}"  # counts: requests, rows
    return f"{fmt_num(value)} {r.unit}"


def verdict(r: Result) -> str:
    if r.passed is None:
        return "skip" if r.figure is None else "info"
    return "pass" if r.passed else "MISS"


def table(results: list[Result]) -> str:
    head = ("benchmark", "figure", "baseline", "ratio", "cpu ratio", "peak MiB", "target", "result")
    rows = [
        (
            r.benchmark,
            fmt_figure(r),
            fmt_figure(r, r.baseline) if r.baseline is not None else "-",
            fmt_num(r.ratio),
            fmt_num(r.cpu_ratio),
            fmt_num(r.peak_mib),
            r.target or "-",
            verdict(r),
        )
        for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    lines = [
        " | ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    notes = [f"  {r.benchmark}: {r.note}" for r in results if r.note]
    return "\n".join(lines + (["", "notes:"] + notes if notes else []))


def markdown(document: dict) -> str:
    """The saved results as the Markdown table bench/README.md shows."""
    results = [Result(**r) for r in document["results"]]
    m = document["machine"]
    lines = [
        f"Run {document['started_at']} ({'complete' if document.get('complete', True) else 'stopped early'}), "
        f"commit {m.get('commit')}{' + uncommitted exporter changes' if m.get('exporter_uncommitted_changes') else ''}; "
        f"{m.get('nproc')} cores, {m.get('ram_gib')} GiB RAM, {m.get('cpu')}; Python {m.get('python')}, "
        f"DuckDB {m.get('duckdb')}, polars {m.get('polars')}, XlsxWriter {m.get('xlsxwriter')}.",
        "",
        "| benchmark | figure | baseline | ratio | cpu ratio | peak MiB | target | result | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        baseline = fmt_figure(r, r.baseline) if r.baseline is not None else "-"
        load = f"{r.load:.1f}" if r.load is not None else "-"
        lines.append(
            f"| {r.benchmark} | {fmt_figure(r)} | {baseline} | {fmt_num(r.ratio)} | {fmt_num(r.cpu_ratio)} | {fmt_num(r.peak_mib)} "
            f"| {r.target or '-'} | {verdict(r)} | {load} |"
        )
    notes = [f"- {r.benchmark}: {r.note}" for r in results if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def machine() -> dict:
    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    for mod in ("duckdb", "polars", "xlsxwriter"):
        with contextlib.suppress(Exception):
            info[mod] = importlib.import_module(mod).__version__
    with contextlib.suppress(OSError):
        git = ["git", "-C", str(REPO)]
        info["commit"] = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], text=True, capture_output=True
        ).stdout.strip()
        # the tool measured is the working tree: say when it differs from the commit
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "exporter", "schemas"],
            text=True,
            capture_output=True,
        )
        info["exporter_uncommitted_changes"] = bool(dirty.stdout.strip())
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="Run every benchmark, print the table."
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI): a few seconds")
    parser.add_argument(
        "--rows", type=int, help="trading rows for import/export (default 1,000,000; smoke 3,000)"
    )
    parser.add_argument(
        "--memory-rows", type=int, help="rows for the memory run (default 5,000,000; smoke 5,000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement, fastest kept (default 1)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where data and databases go (default bench/data; smoke: a temp dir)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["import", "xlsx", *ROW_MODULES, "memory", "backfill"],
        help="run only these benchmarks (repeatable)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help="where to save results (default bench/results/latest[-smoke].json)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--markdown", type=Path, metavar="JSON", help="print saved results as Markdown; run nothing"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    args.rows = args.rows or (3_000 if args.smoke else 1_000_000)
    args.memory_rows = args.memory_rows or (5_000 if args.smoke else 5_000_000)
    temp = None
    if args.workdir is None:
        if args.smoke:
            temp = tempfile.TemporaryDirectory(prefix="pionex-bench-")
            args.workdir = Path(temp.name)
        else:
            args.workdir = DEFAULT_WORKDIR
    started = datetime.now(UTC)
    out = args.json or RESULTS_DIR / ("latest-smoke.json" if args.smoke else "latest.json")
    info = machine()

    def save(results: list[Result], complete: bool) -> None:
        """Written after every result, so a long run stopped halfway keeps what it measured."""
        out.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "started_at": started.isoformat(timespec="seconds"),
            "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
            "complete": complete,
            "smoke": args.smoke,
            "rows": args.rows,
            "memory_rows": args.memory_rows,
            "repeat": args.repeat,
            "machine": info,
            "results": [asdict(r) for r in results],
        }
        out.write_text(json.dumps(document, indent=2) + "\n")

    bench = Bench(args, on_result=lambda: save(bench.results, False))
    try:
        results = bench.run()
    finally:
        if temp:
            temp.cleanup()
    save(results, True)
    print(table(results))
    print(f"\nsaved {out}")
    return 0  # a miss is a finding, not a failure: benchmarks are not tests


if __name__ == "__main__":
    sys.exit(main())
