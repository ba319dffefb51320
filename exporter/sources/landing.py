"""Land export files raw: every row of every file, with its provenance, once (a row already stored
for the account is counted as present, not stored again).

The caller (`app/importing.py`) owns the transaction and derives the transactions; it passes
`on_block`, which gets each landed block's new rows typed, so their candidates are inserted
without reading the rows back."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from exporter import __version__
from exporter.sources import not_export
from exporter.sources.csv_table import CsvTable, in_groups_of, iter_csv_tables
from exporter.sources.date_order import file_date_order, has_slash_dates
from exporter.sources.layout import Layout
from exporter.sources.registry import kept_by_name, resolve
from exporter.sources.typed import typed_frame
from exporter.sources.unrecognized import UNKNOWN_TAB
from exporter.sources.validate import validate
from exporter.sources.walk import ExportFile
from exporter.sql import literal
from exporter.store.db import ROW_GROUP_ROWS, run, run_over, scalar

# The characters DuckDB's trim() removes from either end of a string: Unicode's space separators
# (category Zs; tests/test_import_blocks.py checks every code point against DuckDB). Row keys are
# md5 over cells trimmed that way; polars strips the same characters, for less (see _key_texts).
SPACE_SEPARATORS = (
    "\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u202f\u205f\u3000"
)


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
    date_order: str | None = None  # of its slash dates, when they show it (date_order.py)


@dataclass(frozen=True)
class LandedBlock:
    """A block of rows just landed, for its candidates to be derived without reading it back."""

    layout: Layout
    rows: pl.DataFrame  # the new rows: `_raw_id` and the text cells of every layout column
    typed: pl.DataFrame  # the same rows typed (typed.typed_frame)
    date_order: pl.Expr  # the file's slash-date order
    raw_filter: str  # an SQL condition over the raw row `x` selecting the block's raw rows
    # When every row of the block was new: each raw row's provenance as SQL over the typed rows
    # `r` (which then carry `_line_no`, `_row_key`, `_occurrence`), so the candidates need no join
    # back to raw_export_rows. None when some rows were already present: the join leaves them out.
    provenance: dict[str, str] | None
    keys: pl.DataFrame | None  # `_line_no`, `_row_key`, `_occurrence` of `rows`, in their order


BlockDeriver = Callable[[LandedBlock], None]

# Files are read a block of about this many bytes at a time (~240k trading rows), so an import's
# memory stays bounded whatever the size of the export: the block being stored and the next one,
# read ahead (_one_block_ahead).
BLOCK_BYTES = 32 * 1024**2
# Rows are checked and landed this many at a time: two of DuckDB's row groups, since every insert
# that ends in a part-filled row group costs extra (see csv_table.in_groups_of).
LAND_ROWS = 2 * ROW_GROUP_ROWS
# Hashing needs no big blocks: each one read is memory held for nothing.
HASH_BYTES = 1024**2


def start_import(con: duckdb.DuckDBPyConnection, account: str, command: str) -> int:
    """Record a new import of `account` and return its id."""
    # inbox_files keeps the id of an import later forgotten (forget-import): never hand it out
    # again, or that file would point at another import.
    import_id = scalar(
        con,
        "SELECT coalesce(max(import_id), 0) + 1 FROM "
        "(SELECT import_id FROM imports UNION ALL SELECT import_id FROM inbox_files)",
    )
    run(
        con,
        "INSERT INTO imports VALUES (?, ?, now()::TIMESTAMP, NULL, ?, ?)",
        [import_id, account, __version__, command],
    )
    return import_id


def has_export_rows(con: duckdb.DuckDBPyConnection, account: str) -> bool:
    return bool(
        con.execute("SELECT 1 FROM raw_export_rows WHERE account = ? LIMIT 1", [account]).fetchall()
    )


def record_files(
    con: duckdb.DuckDBPyConnection, import_id: int, account: str, reports: list[FileReport]
) -> None:
    """Record each file of the import: before deriving, which reads each file's date order from
    import_files."""
    for file_report in reports:
        _record_file(con, import_id, account, file_report)


def finish_import(
    con: duckdb.DuckDBPyConnection, import_id: int, account: str, reports: list[FileReport]
) -> None:
    """After deriving: how many of each file's new rows the transactions flag for review, and
    when the import finished."""
    for index, file_report in enumerate(reports):
        if file_report.status == "imported" and not file_report.seen_before:
            file_report.rows_flagged = _flagged_rows(
                con, f"staged_{index}_keys", account, file_report.family or ""
            )
            run(
                con,
                "UPDATE import_files SET rows_flagged = ? WHERE import_id = ? "
                "AND source_path = ? AND member_name = ?",
                [file_report.rows_flagged, import_id, file_report.source_path,
                 file_report.member_name],
            )  # fmt: skip
        run(con, f"DROP TABLE IF EXISTS staged_{index}_keys")
    run(con, "UPDATE imports SET finished_at = now()::TIMESTAMP WHERE import_id = ?", [import_id])


def land_file(
    con: duckdb.DuckDBPyConnection,
    export_file: ExportFile,
    account: str,
    import_id: int,
    staged: str,
    on_block: BlockDeriver,
    digest: tuple[str, bytes],
) -> FileReport:
    """Land `export_file`, whose file_digest() is `digest` (taken ahead by the caller)."""
    name = export_file.display_name
    sha256, first_bytes = digest
    looks_binary = not_export.binary_kind(first_bytes)
    if looks_binary and export_file.suffix != ".xlsx":
        raise not_export.NotAnExportError(name, looks_binary)
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
    if _seen_before(con, account, report.sha256, report):
        return report
    run(
        con,
        f"CREATE OR REPLACE TEMP TABLE {staged}_keys "
        "(line_no BIGINT, row_key VARCHAR, occurrence INTEGER)",
    )
    # A file's own (row_key, occurrence) pairs are distinct, so its rows can only already be
    # present among the rows stored before it: checking those alone (raw_id <= known_ids) lets
    # DuckDB skip the blocks this file just landed instead of re-reading them for every block.
    known_ids = scalar(con, "SELECT coalesce(max(raw_id), 0) FROM raw_export_rows")
    for layout, block in _one_block_ahead(_prepared_blocks(export_file)):
        if report.status == "empty":
            # A header and no rows means no data to lose: reported, not refused (real exports
            # hold such files), whether or not the header is one we know.
            report.status = "header_only"
        if layout is not None:
            report.layout, report.family = layout.name, layout.family
        if block is None:
            continue
        report.status = "imported"
        report.date_order = block.date_order
        report.rows_read += block.rows.height
        inserted = _land_rows(con, block, staged, account, import_id, report, known_ids, on_block)
        report.rows_inserted += inserted
        report.rows_present += block.rows.height - inserted
    if report.status == "empty" and _alone(export_file):
        raise not_export.NotAnExportError(name, not_export.EMPTY)
    return report


@dataclass(frozen=True)
class _Block:
    """A group of a file's rows read, typed and checked: all the work polars does before DuckDB
    stores them."""

    layout: Layout
    rows: pl.DataFrame  # text cells c0.. of the file's columns and line_no
    width: int  # how many cells the file's rows have
    padded: pl.DataFrame  # the same with every layout column (absent trailing ones null)
    typed: pl.DataFrame  # typed_frame(padded)
    date_order: str | None  # the whole file's slash-date order
    key_texts: pa.Table  # _key_texts(rows)


_Prepared = tuple[Layout | None, "_Block | None"]


def _prepared_blocks(export_file: ExportFile) -> Iterator[_Prepared]:
    """The file's rows group by group with their layout, typed and validated (no block for a
    group with no rows: a header-only file). polars' part of landing; it touches no database."""
    name = export_file.display_name
    date_order, order_decided = None, False
    tables = iter_csv_tables(export_file.blocks(BLOCK_BYTES), name)
    for table in in_groups_of(tables, LAND_ROWS):
        layout, table = resolve(table, export_file.member_name)
        if layout is None and (table.rows.height or _alone(export_file)):
            # Inside an export a file with an unknown header and no rows holds nothing to lose
            # (a real zip has such files); a file the user picked by itself is a wrong file.
            raise not_export.NotAnExportError(
                name,
                not_export.header_looks(table.header, bool(table.rows.height)),
                line=table.header_line,
            )
        if table.rows.height == 0:
            yield layout, None
            continue
        if not order_decided and has_slash_dates(table.rows, layout):
            # The order is the whole file's: read its date columns once before typing a row.
            date_order = file_date_order(_layout_blocks(export_file), name)
            order_decided = True
        # Every layout column, as the stored cells read back would give them (a trailing
        # optional column the file lacks is null), typed once for validation and the candidates.
        padded = table.rows.with_columns(
            pl.lit(None, pl.String).alias(f"c{i}") for i in range(table.width, len(layout.columns))
        )
        typed = typed_frame(padded, layout, pl.lit(date_order, pl.String))
        validate(padded, layout, name, typed)
        key_texts = _key_texts(table, layout.family)
        yield layout, _Block(layout, table.rows, table.width, padded, typed, date_order, key_texts)


def _one_block_ahead(blocks: Iterator[_Prepared]) -> Iterator[_Prepared]:
    """`blocks`, each read, typed and checked in a worker thread while the caller stores the one
    before: polars and DuckDB both release the GIL, and each leaves a core idle part of the time
    (1M-row import: median 9.5 -> 8.9 s). One block more is held in memory (+43 MiB at the peak
    of a 5M-row import). A failure in the worker (bad input) is raised here, at its block."""
    with ThreadPoolExecutor(1, thread_name_prefix="pionex-export-read") as worker:
        pending = worker.submit(next, blocks, None)
        while (prepared := pending.result()) is not None:
            pending = worker.submit(next, blocks, None)
            yield prepared


def _layout_blocks(export_file: ExportFile) -> Iterator[tuple[Layout, pl.DataFrame]]:
    """Every block of the file's rows with its layout, read again from the start."""
    for table in iter_csv_tables(export_file.blocks(BLOCK_BYTES), export_file.display_name):
        layout, table = resolve(table, export_file.member_name)
        if layout is not None:
            yield layout, table.rows


def _alone(export_file: ExportFile) -> bool:
    """A file the user named by itself, which must therefore be a Pionex file."""
    return export_file.given_alone and not kept_by_name(export_file.member_name)


def refuse_what_is_not_an_export(reports: list[FileReport], paths: str) -> None:
    """A workbook none of whose tabs is a Pionex file, or an import in which no file is one, is
    the wrong file: refused whole (the transaction rolls back), rather than kept as review rows."""
    tabs: dict[str, list[FileReport]] = {}
    for file_report in reports:
        if "#" in file_report.member_name:
            book = f"{file_report.source_path}\0{file_report.member_name.rsplit('#', 1)[0]}"
            tabs.setdefault(book, []).append(file_report)
    for book_tabs in tabs.values():
        if all(t.layout in (None, UNKNOWN_TAB.name) for t in book_tabs):
            book = (
                book_tabs[0]
                .display_name.rsplit("#", 1)[0]
                .removesuffix(f":{Path(book_tabs[0].source_path).name}")
            )
            names = [t.member_name.rsplit("#", 1)[1] for t in book_tabs]
            raise not_export.NotAnExportError(book, not_export.workbook_looks(names))
    if not any(r.layout or kept_by_name(r.member_name) for r in reports):
        raise not_export.NotAnExportError(
            paths, "none of its files has the header of a Pionex file"
        )


def file_digest(export_file: ExportFile) -> tuple[str, bytes]:
    """The file's SHA-256, and its first bytes (to tell a PDF or an image from a CSV)."""
    digest, first = hashlib.sha256(), b""
    for block in export_file.blocks(HASH_BYTES):
        first = first or block[:64]
        digest.update(block)
    return digest.hexdigest(), first


def _seen_before(
    con: duckdb.DuckDBPyConnection, account: str, sha256: str, report: FileReport
) -> bool:
    """Identical bytes already imported: every row is present by construction (raw rows are never
    deleted), so re-reading a cron inbox costs one hash per file instead of a full parse."""
    known = con.execute(
        "SELECT layout, family, rows_read, rows_flagged, date_order FROM import_files "
        "WHERE account = ? AND file_sha256 = ? AND status = 'imported' ORDER BY import_id DESC LIMIT 1",
        [account, sha256],
    ).fetchall()
    if not known:
        return False
    report.layout, report.family, rows, report.rows_flagged, report.date_order = known[0]
    report.status, report.rows_read, report.rows_present = "imported", rows, rows
    report.seen_before = True
    return True


def _land_rows(
    con: duckdb.DuckDBPyConnection,
    block: _Block,
    staged: str,
    account: str,
    import_id: int,
    report: FileReport,
    known_ids: int,
    on_block: BlockDeriver,
) -> int:
    """Store one group of a file's rows (and hand the new ones to `on_block`); returns how many
    were new."""
    layout, rows = block.layout, block.rows
    keys = f"{staged}_keys"
    first_line, last_line = rows["line_no"].min(), rows["line_no"].max()
    cells = ", ".join(f"f.c{i}" for i in range(block.width))
    # Identity of a row: its family and trimmed cells, plus which occurrence of that exact row it
    # is in this file (identical rows in one file are distinct partial fills), counting from the
    # earlier blocks of the file. The keys table holds no cells: the flagged count reads it after
    # the rebuild.
    run_over(
        con,
        "block_rows",
        block.key_texts,
        f"""
        INSERT INTO {keys}
        WITH block AS MATERIALIZED (
            SELECT line_no, md5(key_text) AS row_key FROM block_rows),
        earlier AS (
            SELECT row_key, count(*) AS n FROM {keys}
            WHERE row_key IN (SELECT row_key FROM block) GROUP BY row_key)
        SELECT b.line_no, b.row_key,
               (row_number() OVER (PARTITION BY b.row_key ORDER BY b.line_no)
                + coalesce(e.n, 0))::INTEGER
        FROM block b LEFT JOIN earlier e ON e.row_key = b.row_key
        """,
    )
    # The block's keys in its own row order, so the raw rows and the candidates read them from the
    # block instead of joining the keys table back by line (a hash join and a sort per block).
    block_keys = con.sql(
        f"SELECT line_no AS _line_no, row_key AS _row_key, occurrence AS _occurrence FROM {keys} "
        f"WHERE line_no BETWEEN {first_line} AND {last_line} ORDER BY line_no"
    ).to_arrow_table()
    # The keys are matched to the rows by position from here on: they must be the same lines.
    if not pl.Series(block_keys["_line_no"]).equals(rows["line_no"]):
        raise AssertionError(f"{report.display_name}: the block's keys are not its lines")
    # As string views, polars' own layout, which DuckDB reads: the default (large strings) copied
    # every cell of the block once more on the way.
    frame = rows.to_arrow(compat_level=pl.CompatLevel.newest())
    frame = frame.append_column("row_key", block_keys["_row_key"]).append_column(
        "occurrence", block_keys["_occurrence"]
    )
    # raw_id = last id + position in this block (line_no + offset): dense, in file order, and
    # needs no sort.
    offset = scalar(con, "SELECT coalesce(max(raw_id), 0) FROM raw_export_rows") - first_line + 1
    account_sql, family_sql = literal(account), literal(layout.family)
    constants = {
        "account": account_sql,
        "family": family_sql,
        "layout": literal(layout.name),
        "file_sha256": literal(report.sha256),
        "member_name": literal(report.member_name),
    }
    # Into an account with nothing stored before this file, no row can be present already.
    present = f"""WHERE NOT EXISTS (
            SELECT 1 FROM raw_export_rows r
            WHERE r.raw_id <= {known_ids} AND r.account = {account_sql}
              AND r.family = {family_sql} AND r.row_key = f.row_key
              AND r.occurrence = f.occurrence)"""
    inserted = run_over(
        con,
        "block_rows",
        frame,
        f"""
        INSERT INTO raw_export_rows
        SELECT {offset} + f.line_no, {account_sql}, {family_sql}, {constants["layout"]},
               f.row_key, f.occurrence, [{cells}], {constants["file_sha256"]},
               {literal(report.source_path)}, {constants["member_name"]}, f.line_no, {import_id}
        FROM block_rows f
        {present if known_ids else ""}
        """,
    )
    del frame  # the block's Arrow copy is not needed while its transactions are derived
    if inserted:
        # A row already stored (an overlapping file of this import) has no raw row at its id,
        # so the join inside the candidate SQL leaves it out.
        new_rows = block.padded.select(
            (pl.col("line_no") + offset).alias("_raw_id"), pl.exclude("line_no")
        )
        ids = f"x.raw_id BETWEEN {first_line + offset} AND {last_line + offset}"
        provenance, keys_frame = None, None
        if inserted == rows.height:  # every row new: each carries its provenance
            provenance = constants | {
                "raw_id": "r._raw_id",
                "row_key": "r._row_key",
                "occurrence": "r._occurrence",
                "line_no": "r._line_no",
            }
            keys_frame = pl.from_arrow(block_keys)
        date_order = pl.lit(block.date_order, pl.String)
        on_block(
            LandedBlock(layout, new_rows, block.typed, date_order, ids, provenance, keys_frame)
        )
    return inserted


def _key_texts(table: CsvTable, family: str) -> pa.Table:
    """`line_no` and the text a row key is the md5 of: the family and the trimmed cells joined by
    chr(31), what DuckDB's `concat_ws(chr(31), family, trim(c0), ...)` gives. polars builds it:
    the statement computing the keys of 1M rows took 1.76-1.86 s of CPU with DuckDB's trim and
    concat_ws, 0.85-0.97 s over this text, which takes polars ~0.6 s to build."""
    cells = [pl.col(f"c{i}").str.strip_chars(SPACE_SEPARATORS) for i in range(table.width)]
    text = pl.concat_str([pl.lit(family), *cells], separator="\x1f", ignore_nulls=True)
    frame = table.rows.select("line_no", text.alias("key_text"))
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _flagged_rows(con: duckdb.DuckDBPyConnection, keys: str, account: str, family: str) -> int:
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


def _record_file(
    con: duckdb.DuckDBPyConnection, import_id: int, account: str, report: FileReport
) -> None:
    covers = report.covers or (None, None, None)
    run(
        con,
        "INSERT INTO import_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            report.date_order,
        ],
    )
