"""`demo`: the whole pipeline into a fresh folder, no network and no credentials.

The sample export shipped in sample_data/ is imported, then the local Pionex simulator is started
in this process on 127.0.0.1 and fetched from with its built-in throwaway key (it accepts no
other, and no real key is ever read), so one database holds both sources as a user's would.
Then every available output is written and its path printed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from exporter.app.import_report import format_report
from exporter.app.importing import import_paths
from exporter.errors import UserError
from exporter.outputs import coinledger, xlsx
from exporter.outputs.common import Selection
from exporter.store.db import open_db

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
ACCOUNT = "default"
# A small, fast simulated account; the simulator is local, so its weight budget may be raised.
DEMO_RATE = 1000.0
# The demo marks the folders it makes, so a rerun may replace its own files and nothing else.
MARKER = ".pionex-export-demo"
# Every file the demo writes (the zip is named after the sample folder); a rerun removes only these.
DEMO_FILES = (
    "pionex.duckdb",
    "pionex.duckdb.wal",
    "coinledger.csv",
    "workbook.xlsx",
    "import-report.txt",
)


def sample_export_folder() -> Path:
    folders = sorted(p for p in SAMPLE_DIR.glob("pionex_txn_*") if p.is_dir())
    if not folders:
        raise FileNotFoundError(f"no sample export folder in {SAMPLE_DIR}")
    return folders[0]


def zip_like_pionex(folder: Path, target_dir: Path) -> Path:
    """Pack the folder as Pionex ships it: <name>.zip holding <name>/<file>.csv."""
    target = target_dir / f"{folder.name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{folder.name}/{path.name}")
    return target


def fetch_from_simulator(db: Path, account: str):  # type: ignore[no-untyped-def]
    """Start the simulator in-process, fetch it into `db` with its throwaway key, stop it.

    The simulator plays the sample export's own account one month on (simulator/story.py):
    July 2025's trades, and balances the export plus those trades explain."""
    import datetime as dt

    from exporter.app.fetching import fetch_to_db
    from exporter.pionex.credentials import Credentials
    from exporter.simulator import SimConfig, start
    from exporter.simulator.story import FIRST_DAY, STORY

    config = SimConfig(story=STORY, rate_limit=DEMO_RATE)
    since = dt.datetime.combine(FIRST_DAY, dt.time())
    with start(config) as simulator:
        demo_key = Credentials.of(config.api_key, config.api_secret)
        return fetch_to_db(
            db, account, demo_key, base_url=simulator.base_url, rate_limit=DEMO_RATE, since=since
        )


def prepare_demo_folder(out: Path) -> None:
    """Make `out` ready for a fresh demo without touching anything the demo did not write.

    A folder the demo made carries MARKER: its earlier outputs are removed by name, so a file the
    user put beside them stays. Any other folder must be empty (or not exist yet).
    """
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a folder; choose a new folder with --out DIR")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise UserError(
            f"{out} already holds files the demo did not write, and the demo never deletes "
            "them; choose a new or empty folder with --out DIR (e.g. --out demo-output)"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(
        "Written by `pionex-export demo`; a rerun replaces only the demo's own files here.\n",
        encoding="utf-8",
    )
    for name in (*DEMO_FILES, f"{sample_export_folder().name}.zip"):
        (out / name).unlink(missing_ok=True)


def run_demo(out: Path) -> Iterator[str]:
    prepare_demo_folder(out)
    export_zip = zip_like_pionex(sample_export_folder(), out)
    db = out / "pionex.duckdb"
    with open_db(db) as con:
        report = import_paths(con, [export_zip], ACCOUNT)
    report_path = out / "import-report.txt"
    report_path.write_text(format_report(report) + "\n", encoding="utf-8")
    yield format_report(report)
    yield ""
    fetched = fetch_from_simulator(db, ACCOUNT)
    yield (
        f"fetched from the local simulator: {fetched.new_fills} fills of "
        f"{len(fetched.symbols)} pairs, {fetched.bots} bots ({fetched.requests} requests)"
    )
    yield ""
    outputs = [("database:", db, "")]
    with open_db(db, read_only=True) as con:
        rows = coinledger.write(con, out / "coinledger.csv", Selection())
        outputs.append(("coinledger CSV:", out / "coinledger.csv", f" ({rows} rows)"))
        xlsx.write(con, out / "workbook.xlsx", Selection())
        outputs.append(("workbook:", out / "workbook.xlsx", ""))
    outputs.append(("import report:", report_path, ""))
    for label, path, note in outputs:
        yield f"{label:<16}{path}{note}"
    yield ""
    yield from what_to_look_at(db)


def what_to_look_at(db: Path) -> Iterator[str]:
    """The story the demo's database tells, as commands to run (simulator/story.py)."""
    run = f"pionex-export --db {db}"
    yield "what to look at (one account: the export for 2025-01..06, the API for July 2025):"
    yield f"  1. {run} status"
    yield "     one gap, 2025-07-01 to 2025-07-08: the API proves only the days after its oldest"
    yield "     fill (07-08), so status names the export that closes it; no balance goes negative"
    yield "     (the January deposit pays for every trade)"
    yield f"  2. {run} reconcile --offline"
    yield "     every balance Pionex shows is explained by the export plus July's trades"
    yield f"  3. {run} bots"
    yield "     the two bots the export's bot trades came from, each next to its trades"
    yield f'  4. {run} sql "SELECT * FROM balances ORDER BY asset"   (more: docs/queries.md)'
    yield "  5. workbook.xlsx: the Summary (totals, the monthly chart), Transactions, Needs review"
