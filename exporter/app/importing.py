"""`import`: land every row of every file raw (with provenance), then derive the transactions,
all in one DuckDB transaction, so a failure anywhere leaves the database as it was. A later
import than the first re-derives only the days its new rows touch (normalize/pipeline.derive_new)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from exporter.errors import InputError
from exporter.normalize.exports import (
    StoredSpans,
    insert_candidates,
    typed_rows,
    yields_futures_fills,
)
from exporter.normalize.findings import import_notes
from exporter.normalize.pipeline import (
    clear_transactions,
    derive_new,
    deriving,
    rebuild_transactions,
)
from exporter.sources.landing import (
    BlockDeriver,
    FileReport,
    LandedBlock,
    file_digest,
    finish_import,
    has_export_rows,
    land_file,
    record_files,
    refuse_what_is_not_an_export,
    start_import,
)
from exporter.sources.position_futures import POSITION_FUTURES_V2025
from exporter.sources.walk import ExportFile, expand
from exporter.sources.xlsx_table import workbook_tabs
from exporter.store.db import checkpoint_without_vacuum, scalar


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
    """Import the export files found at `paths` (zips, folders, CSVs, workbooks) into `account`."""
    files = [tab for found in expand(paths) for tab in workbook_tabs(found)]
    if not files:
        raise InputError(", ".join(map(str, paths)), "no export files found (.csv, .xlsx or .zip)")
    with deriving(con):
        report = _import_files(con, files, account, " ".join(map(str, paths)))
    checkpoint_without_vacuum(con)
    return report


def _import_files(
    con: duckdb.DuckDBPyConnection, files: list[ExportFile], account: str, command: str
) -> ImportReport:
    import_id = start_import(con, account, command)
    # Every new row's export transaction is derived from its block as it lands, typed once,
    # instead of reading the row back afterwards: the derive would give exactly these rows with
    # the same SQL. An account with no stored export rows yet (a first import, a tax-season
    # backfill) then has its dedupe steps run over everything; a later import re-derives only the
    # days its new rows touch, around them (the rows from first_new_id on).
    first = not has_export_rows(con, account)
    if first:
        clear_transactions(con, account)  # the rebuild below adds the API's back
    first_new_id = scalar(con, "SELECT coalesce(max(raw_id), 0) + 1 FROM raw_export_rows")
    positions = StoredSpans(con)
    on_block = _candidates_of_block(con, positions)
    reports = _land_files(con, files, account, import_id, on_block)
    positions.drop()
    refuse_what_is_not_an_export(reports, command)
    record_files(con, import_id, account, reports)
    transactions = None
    if first:
        transactions = rebuild_transactions(con, account, exports_derived=True)
    elif any(r.rows_inserted for r in reports):
        transactions = derive_new(con, account, first_new_id, landed=True)
    if transactions is None:
        transactions = scalar(con, "SELECT count(*) FROM transactions WHERE account = ?", [account])
    finish_import(con, import_id, account, reports)
    return ImportReport(import_id, account, reports, transactions, import_notes(con, account))


def _land_files(
    con: duckdb.DuckDBPyConnection,
    files: list[ExportFile],
    account: str,
    import_id: int,
    on_block: BlockDeriver,
) -> list[FileReport]:
    """Land every file in order. Each is hashed in a worker thread while the files before it land
    (hashlib releases the GIL): the trading file of an export, last but one, is hashed by the
    time it is reached (~0.14 s of a 1M-row folder, more from a zip, which is inflated to hash)."""
    with ThreadPoolExecutor(1, thread_name_prefix="pionex-export-hash") as hasher:
        digests = [hasher.submit(file_digest, export_file) for export_file in files]
        try:
            return [
                land_file(con, f, account, import_id, f"staged_{i}", on_block, digest.result())
                for i, (f, digest) in enumerate(zip(files, digests, strict=True))
            ]
        finally:
            hasher.shutdown(cancel_futures=True)  # a failed import hashes no more files


def _candidates_of_block(con: duckdb.DuckDBPyConnection, positions: StoredSpans) -> BlockDeriver:
    """Insert each landed block's candidates; its futures fills are checked against the
    positions landed so far."""

    def insert(block: LandedBlock) -> None:
        rows = typed_rows(block.rows, block.layout, block.typed, block.date_order)
        if block.keys is not None:
            rows = rows.hstack(block.keys)
        spans = positions.query() if yields_futures_fills(block.layout) else None
        layout = block.layout
        insert_candidates(con, layout, rows, block.raw_filter, spans, provenance=block.provenance)
        if layout.name == POSITION_FUTURES_V2025.name:
            positions.positions_added()

    return insert
