"""Derive `transactions` from the raw tables, inside the caller's transaction: all of an account
(`rebuild_transactions`), or only the days new rows touch (`derive_new`), with the same result.

Re-deriving from the raw rows (rather than patching) is what makes `rebuild` after a parser fix
give exactly what a fresh import gives. It is set-based SQL: a million rows take about 3 seconds.

The rows being re-derived (one account's, or every account's, or an account's rows on some days)
are deleted first and every candidate is inserted straight into `transactions`; the dedupe steps
then read them through the temp view `candidates` and delete or fix the ones another view of the
same event books. (A temp copy of the candidates held DuckDB at its memory limit and spilled
0.9 GB on a 5M-row import.) The sources and steps, and the order they run in, are listed once in
`normalize/steps.py`.

An import or fetch into an account already derived re-derives only the UTC days its new rows
fall on, widened to every day a rule reads with them (normalize/incremental.py): the cost grows
with what is new, not with the history. What that needs is kept by every derive, full or not:
`raw_row_days` (the day of every raw row's candidate, dropped ones included), `view_choice_days`
(the view choices per day), `ledger_days` (the ledger per day, for the import report's negative
balances: normalize/balance_days.py) and `derive_marks` (the account is indexed, and up to which
fetch run its API records are derived). An account without a mark (a database from before schema 10) is
derived whole once. A derive with nothing new derives nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from exporter.normalize import api_fills, balance_days, exports, incremental, views
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
    """rebuild_transactions() in a transaction of its own (the `rebuild` command)."""
    with deriving(con):
        count = rebuild_transactions(con, account)
    return count


def derive(con: duckdb.DuckDBPyConnection, account: str) -> int | None:
    """derive_new() in a transaction of its own (a fetch after it lands)."""
    with deriving(con):
        count = derive_new(con, account)
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
        for sql in source(account, "TRUE"):
            run(con, f"INSERT INTO transactions BY NAME {sql}")
    run(con, f"DELETE FROM raw_row_days WHERE {where}")
    incremental.index_candidates(con, where)
    _dedupe(con, account, where, None)
    balance_days.refresh(con, account, None)
    _mark_derived(con, account)
    return scalar(con, f"SELECT count(*) FROM transactions WHERE {where}")


def derived_api_run(con: duckdb.DuckDBPyConnection, account: str) -> int | None:
    """The last fetch run whose fills the account's transactions include; None when the account
    was never derived (its next derive is a full rebuild)."""
    return scalar(con, "SELECT api_run_id FROM derive_marks WHERE account = ?", [account])


def derive_new(
    con: duckdb.DuckDBPyConnection,
    account: str,
    new_raw_from: int | None = None,
    *,
    landed: bool = False,
) -> int | None:
    """Derive what is new in `account` since its last derive: the export rows from raw_id
    `new_raw_from` on (the rows an import just landed) and the API records of later fetch runs,
    by re-deriving the days they touch (module docstring). Returns the account's transaction
    count, or None when there was nothing new and nothing was derived.

    `landed`: the new export rows' candidates are in `transactions` already (the importer inserts
    them as each block lands)."""
    derived_run = derived_api_run(con, account)
    if derived_run is None:
        return rebuild_transactions(con, account)
    who = literal(account)
    new_rows = f"raw_id >= {new_raw_from}" if new_raw_from is not None else "FALSE"
    new_fills = f"run_id > {derived_run}"
    if not con.execute(
        f"""SELECT 1 FROM raw_export_rows WHERE account = {who} AND {new_rows}
        UNION ALL SELECT 1 FROM api_records WHERE account = {who} AND kind = 'fill'
            AND {new_fills} LIMIT 1"""
    ).fetchall():
        _mark_derived(con, account)  # later runs that landed no fills are derived too
        return None
    # The new export rows' candidates stay: they are what the other days are widened from.
    if not landed:
        exports.add_candidates(con, account, new_rows)
    fresh = f"account = {who} AND source = 'export' AND {new_rows}"
    incremental.index_candidates(con, fresh)
    new_days = [f"SELECT day FROM raw_row_days WHERE account = {who} AND {new_rows}"]
    for source in CANDIDATE_SOURCES:
        new_days += [f"SELECT occurred_at::DATE FROM ({sql})" for sql in source(account, new_fills)]
    run(
        con,
        f"CREATE OR REPLACE TEMP TABLE _derive_days AS "
        f"SELECT DISTINCT day FROM ({' UNION ALL '.join(new_days)}) AS found(day)",
    )
    incremental.widen(con, account)
    on_days = incremental.occurred_on(con)
    where = f"account = {who} AND {on_days}"
    run(con, f"DELETE FROM transactions WHERE {where} AND NOT ({fresh})")
    _add_old_candidates(con, account, new_rows)
    for source in CANDIDATE_SOURCES:
        for sql in source(account, api_fills.records_on_days(incremental.DAYS)):
            run(con, f"INSERT INTO transactions BY NAME SELECT * FROM ({sql}) WHERE {on_days}")
    _dedupe(con, account, where, incremental.DAYS)
    balance_days.refresh(con, account, incremental.DAYS)
    run(con, "DROP TABLE _derive_days")
    _mark_derived(con, account)
    return scalar(con, f"SELECT count(*) FROM transactions WHERE account = {who}")


def _add_old_candidates(con: duckdb.DuckDBPyConnection, account: str, new_rows: str) -> None:
    """Insert the candidates of the account's earlier raw rows on the derived days, found through
    the day index (and read within their raw_id span, so only the row groups holding them)."""
    on_days = f"account = {literal(account)} AND day IN ({incremental.DAYS}) AND NOT ({new_rows})"
    low, high = con.execute(
        f"SELECT min(raw_id), max(raw_id) FROM raw_row_days WHERE {on_days}"
    ).fetchone()
    if low is None:
        return
    exports.add_candidates(
        con,
        account,
        f"raw_id BETWEEN {low} AND {high} AND raw_id IN (SELECT raw_id FROM raw_row_days WHERE {on_days})",
    )


def _dedupe(
    con: duckdb.DuckDBPyConnection, account: str | None, where: str, days: str | None
) -> None:
    """Run the dedupe steps over the candidates `where` selects and record the view choices of
    `days` (None: every day)."""
    run(con, f"CREATE OR REPLACE TEMP VIEW candidates AS SELECT * FROM transactions WHERE {where}")
    for step in DEDUPE_STEPS:
        step(con, where)
    views.record(con, account, days)
    run(con, "DROP VIEW candidates")


def _mark_derived(con: duckdb.DuckDBPyConnection, account: str | None) -> None:
    """Record that `account` (every account with raw rows or API records if None) is derived
    and indexed, with every API record landed so far."""
    accounts = (
        f"SELECT {literal(account)}"
        if account is not None
        else "SELECT account FROM raw_export_rows UNION SELECT account FROM api_records"
    )
    run(
        con,
        f"""INSERT OR REPLACE INTO derive_marks
        SELECT account, (SELECT coalesce(max(run_id), 0) FROM api_fetch_runs)
        FROM ({accounts}) AS a(account)""",
    )
