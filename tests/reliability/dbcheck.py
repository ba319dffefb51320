"""Compare a database with a clean run's and list broken invariants, with plain SQL of our own.

Tables are compared by an order-independent digest computed in DuckDB (row count plus md5 of
every row's text, in a fixed order), so a 200k-row comparison costs a fraction of a second.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

# (table it needs, what is wrong, SQL returning one row per offence).
INTEGRITY_CHECKS: tuple[tuple[str, str, str], ...] = (
    (
        "raw_export_rows",
        "duplicate raw export rows",
        "SELECT account, family, row_key, occurrence FROM raw_export_rows "
        "GROUP BY ALL HAVING count(*) > 1",
    ),
    (
        "raw_export_rows",
        "duplicate raw ids",
        "SELECT raw_id FROM raw_export_rows GROUP BY ALL HAVING count(*) > 1",
    ),
    (
        "transactions",
        "duplicate txn ids",
        "SELECT txn_id FROM transactions GROUP BY ALL HAVING count(*) > 1",
    ),
    (
        "raw_export_rows",
        "raw rows of an import that has no finished imports row (a half-written import)",
        "SELECT raw_id FROM raw_export_rows r WHERE NOT EXISTS "
        "(SELECT 1 FROM imports i WHERE i.import_id = r.import_id AND i.finished_at IS NOT NULL)",
    ),
    (
        "import_files",
        "import_files rows without their import",
        "SELECT import_id FROM import_files f WHERE NOT EXISTS "
        "(SELECT 1 FROM imports i WHERE i.import_id = f.import_id)",
    ),
    ("imports", "unfinished imports", "SELECT import_id FROM imports WHERE finished_at IS NULL"),
    (
        "transactions",
        "export transactions whose raw row is gone",
        "SELECT txn_id FROM transactions t WHERE source = 'export' AND NOT EXISTS "
        "(SELECT 1 FROM raw_export_rows r WHERE r.raw_id = t.raw_id)",
    ),
    (
        "api_records",
        "API records of a fetch run that does not exist",
        "SELECT record_key FROM api_records a WHERE NOT EXISTS "
        "(SELECT 1 FROM api_fetch_runs f WHERE f.run_id = a.run_id)",
    ),
)


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


def integrity_problems(db: Path) -> list[str]:
    """Every invariant the database breaks, with a few offending keys each; [] when sound."""
    with _connect(db) as con:
        present = _tables(con)
        problems = []
        for table, what, sql in INTEGRITY_CHECKS:
            if table in present:
                rows = con.execute(sql + " LIMIT 5").fetchall()
                if rows:
                    problems.append(f"{what}: {rows}")
        return problems


def digest(con: duckdb.DuckDBPyConnection, select: str, order: str) -> tuple[int, str]:
    """(row count, md5 of all rows' text in `order`) of a query."""
    count, md5 = con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(q::VARCHAR, chr(10) ORDER BY {order}), '')) "
        f"FROM ({select}) q"
    ).fetchall()[0]
    return count, md5


def ledger_nets(con: duckdb.DuckDBPyConnection) -> dict[str, Decimal]:
    rows = con.execute("SELECT account, asset, SUM(amount) FROM ledger GROUP BY ALL").fetchall()
    return {f"{account}/{asset}": Decimal(total) for account, asset, total in rows if total}


def export_snapshot(db: Path) -> dict[str, object]:
    """What a clean import and a crashed-then-rerun import must agree on."""
    with _connect(db) as con:
        return {
            "transactions": digest(con, "SELECT * FROM transactions", "q.txn_id"),
            "raw_rows": digest(
                con,
                "SELECT raw_id, account, family, layout, row_key, occurrence, cells, file_sha256, "
                "member_name, line_no FROM raw_export_rows",
                "q.raw_id",
            ),
            "ledger": ledger_nets(con),
        }


def api_snapshot(db: Path) -> dict[str, object]:
    """What a clean fetch and an interrupted-then-rerun (or faulty) fetch must agree on.

    Records are compared as received (key, symbol, time, JSON), not by when or which run."""
    with _connect(db) as con:
        return {
            "records": digest(
                con,
                "SELECT account, kind, record_key, symbol, record_time_ms, record FROM api_records",
                "q.account, q.kind, q.record_key",
            ),
            "transactions": digest(con, "SELECT * EXCLUDE (raw_id) FROM transactions", "q.txn_id"),
            "ledger": ledger_nets(con),
        }
