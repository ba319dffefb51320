"""Derive `transactions` from the raw tables, from scratch, inside the caller's transaction.

Re-deriving everything (rather than patching) is what makes `rebuild` after a parser fix give
exactly what a fresh import gives. It is set-based SQL: a million rows take about 3 seconds.

The rows being re-derived (one account's, or every account's) are deleted first and every
candidate is inserted straight into `transactions`; the dedupe steps then read them through the
temp view `candidates` and delete or fix the ones another view of the same event books. (A temp
copy of the candidates held DuckDB at its memory limit and spilled 0.9 GB on a 5M-row import.)

The sources and steps, and the order they run in, are listed once in `normalize/steps.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from exporter.normalize import exports
from exporter.normalize.steps import CANDIDATE_SOURCES, DEDUPE_STEPS
from exporter.sql import literal
from exporter.store.db import memory_share, rollback, run, scalar

# DuckDB's share of the memory limit while transactions are derived (import, rebuild; see
# store.db.memory_share): the rows in flight are held on the Python side, up to ~500 MB in a
# 5M-row import, and what DuckDB would keep is mostly a cache of blocks it has just written.
DERIVE_MEMORY_SHARE = 0.5


def scope(account: str | None) -> str:
    """The SQL condition on `transactions` columns selecting the rows a rebuild re-derives."""
    return f"account = {literal(account)}" if account is not None else "TRUE"


def clear_transactions(con: duckdb.DuckDBPyConnection, account: str | None) -> None:
    """Delete the rows a rebuild of `account` (every account if None) re-derives."""
    run(con, f"DELETE FROM transactions WHERE {scope(account)}")


@contextmanager
def deriving(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction for work that ends in a re-derive, with DuckDB at DERIVE_MEMORY_SHARE of
    its memory: committed when the block ends, rolled back if anything in it fails."""
    with memory_share(con, DERIVE_MEMORY_SHARE):
        run(con, "BEGIN TRANSACTION")
        try:
            yield
            run(con, "COMMIT")
        except BaseException:
            rollback(con)
            raise


def rebuild(con: duckdb.DuckDBPyConnection, account: str | None) -> int:
    """rebuild_transactions() in a transaction of its own (the `rebuild` command, and a fetch
    after it lands)."""
    with deriving(con):
        count = rebuild_transactions(con, account)
    return count


def rebuild_transactions(
    con: duckdb.DuckDBPyConnection, account: str | None = None, *, exports_derived: bool = False
) -> int:
    """Replace the transactions of `account` (all accounts if None); returns the row count.

    `exports_derived`: the caller already cleared them (clear_transactions) and inserted the
    candidates of every stored export row of `account` (the importer does, for an account that
    had no stored rows, from the blocks it landed)."""
    where = scope(account)
    if not exports_derived:
        clear_transactions(con, account)
        exports.add_candidates(con, account)
    for source in CANDIDATE_SOURCES:
        for sql in source(account):
            run(con, f"INSERT INTO transactions BY NAME {sql}")
    run(con, f"CREATE OR REPLACE TEMP VIEW candidates AS SELECT * FROM transactions WHERE {where}")
    for step in DEDUPE_STEPS:
        step(con, where)
    run(con, "DROP VIEW candidates")
    return scalar(con, f"SELECT count(*) FROM transactions WHERE {where}")
