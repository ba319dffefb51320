"""Open the database file, upgrade it to the current schema, refuse files from a newer version.

Writing opens go through `store.access` (one writer at a time, and a way past analysts holding the
file read-only); a reading open while something writes the file gets a message naming the writer.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import pyarrow as pa

from exporter.errors import DatabaseBusyError, UserError
from exporter.sql import literal
from exporter.store.access import default_wait, holder_of, lock_refusal, writable

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, Path]]:
    """Numbered migration files, in order."""
    found = []
    for path in sorted(SCHEMAS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return found


def latest_version() -> int:
    return max(number for number, _ in migrations())


# New files are written in the storage format of DuckDB 1.5 (supported until 2027, and what many
# SQL tools bundle), so analysts can open them with the DuckDB they have. DuckDB keeps a file's
# format on every later write; a file created by an older pionex-export keeps the format it has.
STORAGE_VERSION = "v1.5.0"


def _connect_read_only(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            if not lock_refusal(exc):
                raise UserError(f"cannot open database {path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"database {path} is in use by {holder_of(exc)}, which is writing to it; "
                    "wait for it to finish (or use --wait SECONDS, or another --db) and try again"
                ) from None
            time.sleep(0.2)


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    # No progress bar: DuckDB draws one on the terminal for long statements, which would land in
    # cron mail and in piped output; the tool reports its own progress.
    run(con, "SET enable_progress_bar = false")
    run(con, "SET TimeZone = 'UTC'")
    _bound_memory(con)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    )
    if not exists:
        return 0
    return scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version")


# Created by migration 1, before its file runs.
_SCHEMA_VERSION_TABLE = """\
CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
COMMENT ON TABLE schema_version IS 'Applied schema migrations (schemas/NNN_*.sql).';
COMMENT ON COLUMN schema_version.version IS 'Number of the migration file applied.';
COMMENT ON COLUMN schema_version.applied_at IS 'When it was applied, UTC.';
"""


def _migration_script(number: int, sql_path: Path) -> str:
    """Migration `number` as one script: its file, then its row in schema_version."""
    head = _SCHEMA_VERSION_TABLE if number == 1 else ""
    body = sql_path.read_text(encoding="utf-8")
    # On a line of its own: the file may end in a comment without a line break.
    return f"{head}{body}\n;INSERT INTO schema_version VALUES ({number}, now()::TIMESTAMP);\n"


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Apply the missing migrations: on a file at schema 0 (a new one) all in one transaction,
    on an older schema each in its own transaction."""
    have = current_version(con)
    newest = latest_version()
    if have > newest:
        raise UserError(
            f"database {path} was written by a newer pionex-export (schema {have}, this version "
            f"knows up to {newest}); upgrade pionex-export to use it. The file was not changed."
        )
    scripts = [_migration_script(n, sql_path) for n, sql_path in migrations() if n > have]
    if have == 0:
        # A new file: the same statements in the same order, and the same schema, with one
        # commit instead of one per migration (CPU for creating the file: 0.22 s -> 0.20 s).
        # Either way a failure leaves no migration half-applied.
        scripts = ["".join(scripts)]
    for script in scripts:
        run(con, "BEGIN TRANSACTION")
        try:
            run(con, script)
            run(con, "COMMIT")
        except Exception:
            rollback(con)
            raise


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failure, letting the failure itself be what is reported: when a COMMIT
    fails (a full disk) DuckDB has already ended the transaction, or invalidated the
    connection, and a ROLLBACK error would hide the reason."""
    with suppress(duckdb.Error):
        run(con, "ROLLBACK")


MEMORY_LIMIT_ENV = "PIONEX_EXPORT_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"


def _bound_memory(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB defaults to 80% of RAM and then never spills; a multi-year backfill on a small NAS
    must sort and join within a fixed budget, spilling to <db>.tmp beside the database."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    try:
        run(con, f"SET memory_limit = {literal(limit)}")
    except duckdb.ParserException as exc:  # any other error (a full disk) is not the setting's
        raise UserError(
            f"${MEMORY_LIMIT_ENV}={limit!r} is not a memory size such as 1GB: {exc}"
        ) from None


_SHOWN_SIZE = re.compile(r"([0-9.]+) (bytes|KiB|MiB|GiB|TiB)")
_UNIT_BYTES = {"bytes": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}


@contextmanager
def memory_share(con: duckdb.DuckDBPyConnection, share: float) -> Iterator[None]:
    """Inside the block DuckDB gets `share` of the configured memory limit, then all of it again.

    For the import and the rebuild, which hold their rows in flight on the Python side: what
    DuckDB keeps there is mostly a cache of blocks it has just written. A 5M-row import peaked
    at 1,522 MiB with DuckDB's 1 GB and at 1,079 MiB with 512 MB, in the same time; its rebuild
    at 1,166 MiB and 817 MiB. The exports' sorts do use DuckDB's memory: they get all of it."""
    match = _SHOWN_SIZE.fullmatch(scalar(con, "SELECT current_setting('memory_limit')"))
    if match is None:  # not a size DuckDB printed as we know it: leave the limit as it is
        yield
        return
    limit = float(match[1]) * _UNIT_BYTES[match[2]]
    run(con, f"SET memory_limit = '{int(limit * share)} bytes'")
    try:
        yield
    except BaseException:
        # The failure is what gets reported: a full disk may have invalidated the connection,
        # and the limit's reset then fails too.
        with suppress(duckdb.Error):
            _bound_memory(con)
        raise
    _bound_memory(con)


def _sandbox(con: duckdb.DuckDBPyConnection) -> None:
    """No file or network access from SQL (`COPY ... TO`, `read_csv`, `ATTACH`, extensions), and
    no setting can be changed back: for running a user's query on a read-only connection."""
    run(con, "SET enable_external_access = false")
    run(con, "SET lock_configuration = true")


@contextmanager
def open_db(
    path: Path,
    *,
    read_only: bool = False,
    sandboxed: bool = False,
    wait_seconds: float | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open (creating if needed) and upgrade the database; read-only opens never change the file.

    A read-only open of a file at an older schema is refused with the way to upgrade it: only
    writing commands migrate. `sandboxed` (read-only only) also shuts SQL off from the file system
    and the network, for the `sql` command. `wait_seconds` (default: `--wait`) is how long to wait
    for another process that is writing the file."""
    path = Path(path)
    if wait_seconds is None:
        wait_seconds = default_wait()
    if read_only:
        if not path.exists():
            raise UserError(f"database {path} does not exist; run `pionex-export import` first")
        con = _connect_read_only(path, wait_seconds)
        try:
            have, newest = current_version(con), latest_version()
            if have > newest:
                raise UserError(
                    f"database {path} was written by a newer pionex-export; upgrade to read it"
                )
            if have < newest:
                raise UserError(
                    f"database {path} has schema version {have}, older than this pionex-export's "
                    f"{newest}; reading commands never change the file. Run `pionex-export "
                    "rebuild` on it once to upgrade it (any import, fetch or sync does too)."
                )
            _configure(con)
            if sandboxed:
                _sandbox(con)
            yield con
        finally:
            con.close()
        return
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    config = {"storage_compatibility_version": STORAGE_VERSION} if created else {}
    migrated = False
    try:
        with writable(path, config, wait_seconds) as con:
            _configure(con)
            migrate(con, path)
            migrated = True
            yield con
    except BaseException:
        # A command that failed on its first use leaves no empty database behind; one that
        # committed something (a fetch's failed-run record) keeps it.
        if created and migrated and _rows_in(path) == _seeded_rows():
            for made in (path, path.with_name(path.name + ".wal")):
                made.unlink(missing_ok=True)
        raise


def _row_total(con: duckdb.DuckDBPyConnection) -> int:
    """Rows in every table: what the migrations seed, plus whatever a command committed."""
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    return sum(scalar(con, f'SELECT count(*) FROM "{name}"') for (name,) in tables)


def _seeded_rows() -> int:
    """Rows a new file holds after its migrations. Counted in memory when a command on a new
    file fails, not in the file after every creation: counting is a statement per table
    (~10 ms), and a first use usually succeeds."""
    with duckdb.connect(":memory:") as con:
        migrate(con, Path(":memory:"))
        return _row_total(con)


def _rows_in(path: Path) -> int | None:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return _row_total(con)
    except duckdb.Error:
        return None


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> None:
    """Execute a statement whose result we do not read.

    DuckDB 2.x keeps a statement's result pending until it is consumed, and refuses further work
    on the connection meanwhile; `complete()` finishes it."""
    con.execute(sql, params)
    con.complete()


# DuckDB stores a table's rows in groups of this many. An insert that ends in a part-filled group
# costs extra, when it is written and again at the checkpoint, so the import and the rebuild
# insert whole groups at a time (importer.LAND_ROWS, exports.BATCH_ROWS).
ROW_GROUP_ROWS = 122_880


def run_over(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, sql: str) -> int:
    """Execute `sql` (no parameters) with the Arrow `table` readable as `name`; returns the row
    count an INSERT reports.

    Not con.register(): a registered table stays referenced until the open transaction ends
    (DuckDB keeps dropped catalog entries for MVCC), so an import landing a 5M-row file block by
    block held every block in memory until commit. A relation's query scope releases it."""
    # DuckDB scans an Arrow table one record batch per thread, and a polars frame converts to one
    # batch: cut into row-group-sized batches, a group of rows is read by both cores.
    if table.num_rows > ROW_GROUP_ROWS:
        table = pa.Table.from_batches(table.to_batches(ROW_GROUP_ROWS), table.schema)
    rows = con.from_arrow(table).query(name, sql).fetchall()
    return int(rows[0][0]) if rows else 0


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):  # type: ignore[no-untyped-def]
    """The single value a query returns (reading the result to its end, as DuckDB 2.x requires)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


def checkpoint_without_vacuum(con: duckdb.DuckDBPyConnection) -> None:
    """Write what was committed to the database file now, without DuckDB's vacuum.

    An import's last group of each file, and in some runs the parallel insert, leave part-filled
    row groups; at the next checkpoint (when the file is closed) the vacuum merges them by
    rewriting the new rows, and the rewritten blocks stay allocated: in 3 of 6 runs of a 1M-row
    import it took ~0.5 s more and left a 143-156 MB file instead of 125 MB. Row groups emptied
    by a rebuild's DELETE are dropped either way."""
    run(con, "SET max_vacuum_tasks = 0")
    try:
        run(con, "CHECKPOINT")
    finally:
        run(con, "RESET max_vacuum_tasks")
