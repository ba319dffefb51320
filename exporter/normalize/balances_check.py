"""Negative running balances: per account and asset, the first moment the ledger's running sum
goes below zero. Pionex exports leave out money moved into bots and other internal moves, so a
replayed balance can go negative; this says where instead of hiding it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb


@dataclass(frozen=True)
class NegativeBalance:
    account: str
    asset: str
    first_at: dt.datetime  # first moment the running sum is below zero (UTC)
    amount: Decimal  # the running sum at that moment
    lowest: Decimal  # the lowest running sum over the whole history: at least this much is missing

    def warning(self) -> str:
        amount = format(self.amount.normalize(), "f")
        return (
            f"WARNING: {self.asset} balance goes negative on {self.first_at:%Y-%m-%d %H:%M:%S} UTC "
            f"({amount} {self.asset}): funds moved into bots are not in the exports"
        )


def negative_balances(
    con: duckdb.DuckDBPyConnection, account: str | None = None
) -> list[NegativeBalance]:
    """Movements at the same instant are summed first, so the order of one trade's legs never
    makes a balance look negative. (The lowest running sum is among the negative ones, so one
    pass gives both.)"""
    where = "WHERE account = ?" if account is not None else ""
    rows = con.execute(
        f"""
        WITH moments AS (
            SELECT account, asset, occurred_at, SUM(amount) AS amount
            FROM ledger {where} GROUP BY account, asset, occurred_at),
        running AS (
            SELECT *, SUM(amount) OVER (PARTITION BY account, asset ORDER BY occurred_at) AS balance
            FROM moments)
        SELECT account, asset, min(occurred_at), arg_min(balance, occurred_at), min(balance)
        FROM running WHERE balance < 0
        GROUP BY account, asset ORDER BY account, asset""",
        [account] if account is not None else None,
    ).fetchall()
    return [
        NegativeBalance(a, asset, at, Decimal(amount), Decimal(lowest))
        for a, asset, at, amount, lowest in rows
    ]
