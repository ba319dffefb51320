"""`import`: land every row of every file raw (with provenance), then re-derive transactions,
all in one DuckDB transaction, so a failure anywhere leaves the database as it was."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from exporter import __version__
from exporter.errors import InputError
from exporter.normalize.findings import import_notes
from exporter.normalize.pipeline import rebuild_transactions
from exporter.sources.csv_table import CsvTable, read_csv_table
from exporter.sources.layout import Layout
from exporter.sources.registry import known_headers, resolve
from exporter.sources.validate import validate
from exporter.sources.walk import ExportFile, expand
from exporter.sources.xlsx_table import workbook_tabs
from exporter.sql import literal
from exporter.store.db import run, scalar


@dataclass
class FileReport:
    display_name: str
    source_path: str
    member_name: str
    sha256: str
    layout: str | None
    family: str | None
    status: str  # imported | empty | header_only
    rows_read: int = 0
    rows_inserted: int = 0
    rows_present: int = 0
    rows_flagged: int = 0
    covers: tuple | None = None
    seen_before: bool = False  # the very same file bytes were imported into this account earlier


@dataclass
class ImportReport:
    import_id: int
    account: str
    files: list[FileReport]
    transactions: int
    notes: list[str] = field(default_factory=list)  # review reasons, view choices, warnings

    @property
    def inserted(self) -> int:
        return sum(f.rows_inserted for f in self.files)

    @property
    def changed(self) -> bool:
        return self.inserted > 0


def import_paths(con: duckdb.DuckDBPyConnection, paths: list[Path], account: str) -> ImportReport:
    files = [tab for found in expand(paths) for tab in workbook_tabs(found)]
    if not files:
        raise InputError(", ".join(map(str, paths)), "no export files found (.csv, .xlsx or .zip)")
    run(con, "BEGIN TRANSACTION")
    try:
        report = _import_files(con, files, account, " ".join(map(str, paths)))
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise
    return report


def _import_files(
    con: duckdb.DuckDBPyConnection, files: list[ExportFile], account: str, command: str
) -> ImportReport:
    import_id = scalar(con, "SELECT coalesce(max(import_id), 0) + 1 FROM imports")
    run(
        con,
        "INSERT INTO imports VALUES (?, ?, now()::TIMESTAMP, NULL, ?, ?)",
        [import_id, account, __version__, command],
    )
    reports: list[FileReport] = []
    for index, export_file in enumerate(files):
        reports.append(_land_file(con, export_file, account, import_id, f"staged_{index}"))
    transactions = 0
    if any(r.rows_inserted for r in reports):
        transactions = rebuild_transactions(con, account)
    else:
        transactions = scalar(con, "SELECT count(*) FROM transactions WHERE account = ?", [account])
    for index, file_report in enumerate(reports):
        if file_report.status == "imported" and not file_report.seen_before:
            file_report.rows_flagged = _flagged(
                con, f"staged_{index}_keys", account, file_report.family or ""
            )
            run(con, f"DROP TABLE IF EXISTS staged_{index}_keys")
        _record(con, import_id, account, file_report)
    run(con, "UPDATE imports SET finished_at = now()::TIMESTAMP WHERE import_id = ?", [import_id])
    notes = import_notes(con, account)
    return ImportReport(import_id, account, reports, transactions, notes)


def _land_file(
    con: duckdb.DuckDBPyConnection,
    export_file: ExportFile,
    account: str,
    import_id: int,
    staged: str,
) -> FileReport:
    data = export_file.read()
    sha256 = hashlib.sha256(data).hexdigest()
    name = export_file.display_name
    report = FileReport(
        name,
        export_file.source_path,
        export_file.member_name,
        sha256,
        None,
        None,
        "empty",
        covers=export_file.covers,
    )
    if _seen_before(con, account, sha256, report):
        return report
    table = read_csv_table(data, name)
    if table is None:
        return report
    layout, table = resolve(table, export_file.member_name)
    if layout is None and table.rows.height == 0:
        # No rows means no data to lose: report it and go on (real exports hold such files).
        report.status = "header_only"
        return report
    if layout is None:
        raise InputError(
            name,
            "unknown layout: this header matches no Pionex export layout this version knows",
            line=table.header_line,
            value=",".join(table.header),
            expected="one of " + known_headers(),
        )
    report.layout, report.family = layout.name, layout.family
    report.rows_read = table.rows.height
    if table.rows.height == 0:
        report.status = "header_only"
        return report
    report.status = "imported"
    report.rows_inserted, report.rows_present = _land_rows(
        con, table, layout, staged, name, account, import_id, sha256, export_file
    )
    return report


def _seen_before(
    con: duckdb.DuckDBPyConnection, account: str, sha256: str, report: FileReport
) -> bool:
    """Identical bytes already imported: every row is present by construction (raw rows are never
    deleted), so re-reading a cron inbox costs one hash per file instead of a full parse."""
    known = con.execute(
        "SELECT layout, family, rows_read, rows_flagged FROM import_files "
        "WHERE account = ? AND file_sha256 = ? AND status = 'imported' ORDER BY import_id DESC LIMIT 1",
        [account, sha256],
    ).fetchall()
    if not known:
        return False
    report.layout, report.family, rows, report.rows_flagged = known[0]
    report.status, report.rows_read, report.rows_present = "imported", rows, rows
    report.seen_before = True
    return True


def _land_rows(
    con: duckdb.DuckDBPyConnection,
    table: CsvTable,
    layout: Layout,
    staged: str,
    name: str,
    account: str,
    import_id: int,
    sha256: str,
    export_file: ExportFile,
) -> tuple[int, int]:
    validate(table.rows, layout, name)
    frame = f"{staged}_frame"
    con.register(frame, table.rows.to_arrow())
    try:
        width = table.width
        cells = ", ".join(f"f.c{i}" for i in range(width))
        trimmed = ", ".join(f"trim(c{i})" for i in range(width))
        # Identity of a row: its family and trimmed cells, plus which occurrence of that exact row
        # it is in this file (identical rows in one file are distinct partial fills). The keys
        # table stays small (no cells): the flagged count reads it after the rebuild.
        run(
            con,
            f"""
            CREATE OR REPLACE TEMP TABLE {staged}_keys AS
            SELECT line_no, row_key,
                   row_number() OVER (PARTITION BY row_key ORDER BY line_no)::INTEGER AS occurrence
            FROM (SELECT line_no, md5(concat_ws(chr(31), {literal(layout.family)}, {trimmed})) AS row_key
                  FROM {frame})
        """,
        )
        before = scalar(con, "SELECT count(*) FROM raw_export_rows")
        next_id = scalar(con, "SELECT coalesce(max(raw_id), 0) FROM raw_export_rows")
        # raw_id = last id + line number: unique, in file order, and needs no sort.
        run(
            con,
            f"""
            INSERT INTO raw_export_rows
            SELECT ? + s.line_no, ?, ?, ?, s.row_key, s.occurrence, [{cells}], ?, ?, ?, s.line_no, ?
            FROM {staged}_keys s JOIN {frame} f ON f.line_no = s.line_no
            WHERE NOT EXISTS (
                SELECT 1 FROM raw_export_rows r
                WHERE r.account = ? AND r.family = ? AND r.row_key = s.row_key
                  AND r.occurrence = s.occurrence)
            """,
            [
                next_id,
                account,
                layout.family,
                layout.name,
                sha256,
                export_file.source_path,
                export_file.member_name,
                import_id,
                account,
                layout.family,
            ],
        )
    finally:
        con.unregister(frame)
    inserted = scalar(con, "SELECT count(*) FROM raw_export_rows") - before
    return inserted, table.rows.height - inserted


def _flagged(con: duckdb.DuckDBPyConnection, keys: str, account: str, family: str) -> int:
    return scalar(
        con,
        f"""
        SELECT count(*) FROM {keys} s
        JOIN raw_export_rows r ON r.account = ? AND r.family = ? AND r.row_key = s.row_key
             AND r.occurrence = s.occurrence
        JOIN transactions t ON t.raw_id = r.raw_id AND t.source = 'export'
        WHERE t.needs_review
        """,
        [account, family],
    )


def _record(
    con: duckdb.DuckDBPyConnection, import_id: int, account: str, report: FileReport
) -> None:
    covers = report.covers or (None, None, None)
    run(
        con,
        "INSERT INTO import_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            account,
            report.source_path,
            report.member_name,
            report.sha256,
            report.layout,
            report.family,
            report.status,
            report.rows_read,
            report.rows_inserted,
            report.rows_present,
            report.rows_flagged,
            *covers,
        ],
    )
