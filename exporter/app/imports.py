"""`imports` and `forget-import`: list the import runs, and take one back.

Forgetting an import deletes the raw rows it stored, its file records and its run record, then
re-derives the account's transactions, all in one transaction: the database is then what it
would be had the import never run. Nothing else is touched (API records, other imports, the
inbox's memory of files it has read).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from exporter.errors import UserError
from exporter.normalize.pipeline import deriving, rebuild_transactions
from exporter.store.db import run, scalar

LIST_SQL = """
    SELECT i.import_id AS import, i.account, i.started_at AS "when (UTC)",
           count(f.member_name) AS files, coalesce(sum(f.rows_inserted), 0) AS rows_stored,
           i.command AS what
    FROM imports i LEFT JOIN import_files f USING (import_id)
    GROUP BY ALL ORDER BY i.import_id
"""


@dataclass(frozen=True)
class Forgotten:
    import_id: int
    account: str
    raw_rows: int
    files: int
    transactions: int  # the account's transactions after the re-derive


def list_imports(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(LIST_SQL)
    return [d[0] for d in cursor.description or []], cursor.fetchall()


def forget_import(con: duckdb.DuckDBPyConnection, import_id: int) -> Forgotten:
    found = con.execute("SELECT account FROM imports WHERE import_id = ?", [import_id]).fetchall()
    if not found:
        raise UserError(f"there is no import #{import_id}; `pionex-export imports` lists them")
    account = found[0][0]
    _refuse_if_a_later_import_shares_rows(con, import_id, account)
    with deriving(con):
        files = scalar(con, "SELECT count(*) FROM import_files WHERE import_id = ?", [import_id])
        raw_rows = scalar(
            con, "SELECT count(*) FROM raw_export_rows WHERE import_id = ?", [import_id]
        )
        for table in ("raw_export_rows", "import_files", "imports"):
            run(con, f"DELETE FROM {table} WHERE import_id = ?", [import_id])
        transactions = rebuild_transactions(con, account)
    return Forgotten(import_id, account, raw_rows, files, transactions)


def _refuse_if_a_later_import_shares_rows(
    con: duckdb.DuckDBPyConnection, import_id: int, account: str
) -> None:
    """A later import that found rows already present may have found this import's rows: they are
    stored once, so forgetting this import would take them from that one too."""
    later = con.execute(
        """
        SELECT DISTINCT later.import_id FROM import_files later
        JOIN import_files this ON this.import_id = ? AND this.family = later.family
        WHERE later.account = ? AND later.import_id > ? AND later.rows_present > 0
          AND this.rows_inserted > 0
        ORDER BY 1
        """,
        [import_id, account, import_id],
    ).fetchall()
    if later:
        ids = ", ".join(f"#{row[0]}" for row in later)
        raise UserError(
            f"nothing forgotten: import {ids} found rows already stored when it ran, perhaps by "
            f"import #{import_id} (the exports overlap, and a row is stored once); forget {ids} "
            f"first, newest first, then #{import_id}, and re-import what you want to keep"
        )
