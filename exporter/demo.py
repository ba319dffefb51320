"""`demo`: the whole pipeline on the sample export shipped in sample_data/, into a fresh folder."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

from exporter.outputs import coinledger
from exporter.outputs.common import Selection
from exporter.sources.importer import import_paths
from exporter.sources.report import format_report
from exporter.store.db import open_db

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
ACCOUNT = "default"


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


def run_demo(out: Path) -> Iterator[str]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    export_zip = zip_like_pionex(sample_export_folder(), out)
    db = out / "pionex.duckdb"
    with open_db(db) as con:
        report = import_paths(con, [export_zip], ACCOUNT)
    report_path = out / "import-report.txt"
    report_path.write_text(format_report(report) + "\n", encoding="utf-8")
    with open_db(db, read_only=True) as con:
        rows = coinledger.write(con, out / "coinledger.csv", Selection())
    yield format_report(report)
    yield ""
    yield f"database:       {db}"
    yield f"coinledger CSV: {out / 'coinledger.csv'} ({rows} rows)"
    yield f"import report:  {report_path}"
    yield f'try:            pionex-export --db {db} sql "SELECT * FROM balances ORDER BY asset"'
