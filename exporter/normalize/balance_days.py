"""Negative running balances from a per-day summary of the ledger, so the import report costs
what the new days cost, not a replay of the whole history (balances_check.py replays it).

`ledger_days` holds, per account, asset and UTC day, the day's net movement and the lowest
running sum within the day (movements of one instant summed first, as balances_check does). The
balance after a moment is the sum of the earlier days' nets plus the running sum of its day, so
the first day a balance goes negative is the first day where that start plus the day's low is
below zero, and only that day's movements are read again for the exact moment. Every derive
replaces the summary of the days it derived (pipeline.py), with the day index.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb

from exporter.normalize import balances_check
from exporter.normalize.balances_check import NegativeBalance
from exporter.normalize.incremental import occurred_on
from exporter.sql import literal
from exporter.store.db import run


def refresh(con: duckdb.DuckDBPyConnection, account: str | None, days: str | None) -> None:
    """Replace the summary of `account` (every account if None) on `days` (a query of DATE
    `day`; None: on every day) with what the ledger holds now."""
    accounts = f"account = {literal(account)}" if account is not None else "TRUE"
    on_days = f"day IN ({days})" if days is not None else "TRUE"
    run(con, f"DELETE FROM ledger_days WHERE {accounts} AND {on_days}")
    run(
        con,
        f"""INSERT INTO ledger_days
        WITH moments AS (
            SELECT account, asset, occurred_at, SUM(amount) AS amount FROM ledger
            WHERE {accounts} AND {occurred_on(con, days) if days is not None else "TRUE"}
            GROUP BY account, asset, occurred_at),
        running AS (
            SELECT *, SUM(amount) OVER (
                PARTITION BY account, asset, CAST(occurred_at AS DATE) ORDER BY occurred_at) AS low
            FROM moments)
        SELECT account, asset, CAST(occurred_at AS DATE), SUM(amount), min(low)
        FROM running GROUP BY account, asset, CAST(occurred_at AS DATE)""",
    )


def negative_balances(con: duckdb.DuckDBPyConnection, account: str) -> list[NegativeBalance]:
    """What balances_check.negative_balances(con, account) gives, read from the summary (and the
    first negative day's movements); replayed from the ledger for an account a derive has not
    summarized yet (a database from before schema 10 that no derive has touched since)."""
    if not con.execute("SELECT 1 FROM derive_marks WHERE account = ?", [account]).fetchall():
        return balances_check.negative_balances(con, account)
    firsts = con.execute(
        """WITH d AS (
            SELECT asset, day, low, coalesce(SUM(net) OVER (PARTITION BY asset ORDER BY day
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start
            FROM ledger_days WHERE account = ?)
        SELECT asset, min(day), arg_min(start, day), min(start + low)
        FROM d WHERE start + low < 0 GROUP BY asset ORDER BY asset""",
        [account],
    ).fetchall()
    found = []
    for asset, day, start, lowest in firsts:
        at, amount = con.execute(
            """WITH moments AS (
                SELECT occurred_at, SUM(amount) AS amount FROM ledger
                WHERE account = ? AND asset IS NOT DISTINCT FROM ? AND CAST(occurred_at AS DATE) = ?
                GROUP BY occurred_at),
            running AS (
                SELECT occurred_at,
                    CAST(? AS DECIMAL(38,18)) + SUM(amount) OVER (ORDER BY occurred_at) AS balance
                FROM moments)
            SELECT occurred_at, balance FROM running WHERE balance < 0
            ORDER BY occurred_at LIMIT 1""",
            [account, asset, day, start],
        ).fetchone()
        found.append(NegativeBalance(account, asset, at, Decimal(amount), Decimal(lowest)))
    return found
