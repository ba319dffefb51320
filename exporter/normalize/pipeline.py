"""Derive `transactions` from the raw tables, from scratch, inside the caller's transaction.

Re-deriving everything (rather than patching) is what makes `rebuild` after a parser fix give
exactly what a fresh import gives. It is set-based SQL: a million rows take about 3 seconds.

The rows being re-derived (one account's, or every account's) are deleted first and every
candidate is inserted straight into `transactions`; the dedupe steps then read them through the
temp view `candidates` and delete or fix the ones another view of the same event books. (A temp
copy of the candidates held DuckDB at its memory limit and spilled 0.9 GB on a 5M-row import.)

Extension points (append to these lists from the module that owns the source):
- CANDIDATE_SOURCES: functions account -> list of SELECTs producing the transaction columns
  (export rows are built in by `exports.add_candidates`).
- DEDUPE_STEPS: functions (con, scope) -> None that read `candidates` and change `transactions`
  within `scope` (an SQL condition on its columns): delete the rows another view of the same
  event already books (and may record their choice), add or flag rows (futures funding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from exporter.normalize import exports
from exporter.sql import literal
from exporter.store.db import memory_share, rollback, run, scalar

CandidateSource = Callable[[str | None], list[str]]
DedupeStep = Callable[[duckdb.DuckDBPyConnection, str], None]

CANDIDATE_SOURCES: list[CandidateSource] = []
DEDUPE_STEPS: list[DedupeStep] = []

# DuckDB's share of the memory limit while transactions are derived (import, rebuild; see
# store.db.memory_share): the rows in flight are held on the Python side, up to ~500 MB in a
# 5M-row import, and what DuckDB would keep is mostly a cache of blocks it has just written.
DERIVE_MEMORY_SHARE = 0.5


# Modules that register candidate sources / dedupe steps, in the order their steps must run:
# first choose one export view per event, then let API records replace their export twins.
PLUGIN_MODULES = ("exporter.normalize.views", "exporter.normalize.api_fills")


def _load_plugins() -> None:
    import importlib

    for name in PLUGIN_MODULES:
        importlib.import_module(name)
    # Then the checks of what the steps above kept: flag assets that are no ticker
    # (sources/tickers.py), and refuse a history whose sums would overflow. They register nothing
    # themselves: they are plain steps, listed here in the order they run.
    from exporter.normalize import asset_flags, holding_limits

    for step in (asset_flags.flag_implausible_assets, holding_limits.refuse_sums_that_overflow):
        if step not in DEDUPE_STEPS:
            DEDUPE_STEPS.append(step)


def any_candidate(con: duckdb.DuckDBPyConnection, where: str) -> bool:
    """True when some row of `candidates` meets `where`: a rule with nothing to act on is
    skipped instead of scanning a million trades (0.7 s for trading-over-raw-details alone)."""
    return bool(con.execute(f"SELECT 1 FROM candidates WHERE {where} LIMIT 1").fetchall())


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
    _load_plugins()
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
