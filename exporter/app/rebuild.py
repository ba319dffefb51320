"""`rebuild`: derive the transactions again from the raw tables (after upgrading pionex-export, or
to check that a database derives what it holds), for one account or for all."""

from __future__ import annotations

import duckdb

from exporter.errors import UserError
from exporter.normalize.pipeline import rebuild as rebuild_transactions


def rebuild(con: duckdb.DuckDBPyConnection, account: str | None) -> int:
    """Re-derive `account` (every account if None) in one transaction; returns its row count."""
    if account is not None and not _known(con, account):
        raise UserError(
            f"no account '{account}' in this database; `pionex-export imports` lists the "
            "accounts, or leave out --account to rebuild them all"
        )
    return rebuild_transactions(con, account)


def _known(con: duckdb.DuckDBPyConnection, account: str) -> bool:
    return bool(
        con.execute(
            "SELECT 1 FROM raw_export_rows WHERE account = ? UNION ALL "
            "SELECT 1 FROM api_records WHERE account = ? LIMIT 1",
            [account, account],
        ).fetchall()
    )
