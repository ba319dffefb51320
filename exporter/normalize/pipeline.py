"""Derive `transactions` from the raw tables, from scratch, inside the caller's transaction.

Re-deriving everything (rather than patching) is what makes `rebuild` after a parser fix give
exactly what a fresh import gives. It is set-based SQL, so a million rows take about a second.

Extension points (append to these lists from the module that owns the source):
- CANDIDATE_SOURCES: functions account -> list of SELECTs producing the transaction columns
  (export rows are built in by `exports.add_candidates`).
- DEDUPE_STEPS: functions (con) -> None that delete from the temp table `candidates` the rows
  another view of the same event already books (and may record their choice).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from exporter.normalize import exports
from exporter.normalize.columns import COLUMN_NAMES
from exporter.sql import literal
from exporter.store.db import run, scalar

CandidateSource = Callable[[str | None], list[str]]
DedupeStep = Callable[[duckdb.DuckDBPyConnection], None]

CANDIDATE_SOURCES: list[CandidateSource] = []
DEDUPE_STEPS: list[DedupeStep] = []


# Modules that register candidate sources / dedupe steps, in the order their steps must run:
# first choose one export view per event, then let API records replace their export twins.
PLUGIN_MODULES = ("exporter.normalize.views", "exporter.normalize.api_fills")


def _load_plugins() -> None:
    import importlib

    for name in PLUGIN_MODULES:
        importlib.import_module(name)


def any_candidate(con: duckdb.DuckDBPyConnection, where: str) -> bool:
    """True when some row of `candidates` meets `where`: a rule with nothing to act on is
    skipped instead of scanning a million trades (0.7 s for trading-over-raw-details alone)."""
    return bool(con.execute(f"SELECT 1 FROM candidates WHERE {where} LIMIT 1").fetchall())


def create_candidates(con: duckdb.DuckDBPyConnection) -> None:
    run(con, "CREATE OR REPLACE TEMP TABLE candidates AS SELECT * FROM transactions WHERE FALSE")


def rebuild_transactions(
    con: duckdb.DuckDBPyConnection, account: str | None = None, *, exports_derived: bool = False
) -> int:
    """Replace the transactions of `account` (all accounts if None); returns the row count.

    `exports_derived`: the caller already filled `candidates` (create_candidates) with the
    candidates of every stored export row of `account` (the importer does, for an account that
    had no stored rows, from the blocks it landed)."""
    _load_plugins()
    if not exports_derived:
        create_candidates(con)
        exports.add_candidates(con, account, "candidates")
    for source in CANDIDATE_SOURCES:
        for sql in source(account):
            run(con, f"INSERT INTO candidates BY NAME {sql}")
    for step in DEDUPE_STEPS:
        step(con)
    where = f"WHERE account = {literal(account)}" if account is not None else ""
    run(con, f"DELETE FROM transactions {where}")
    columns = ", ".join(COLUMN_NAMES)
    run(
        con,
        # No ORDER BY: every writer sorts its own output, and a sort here costs every import.
        f"INSERT INTO transactions ({columns}) SELECT {columns} FROM candidates",
    )
    count = scalar(con, "SELECT count(*) FROM candidates")
    run(con, "DROP TABLE candidates")
    return count
