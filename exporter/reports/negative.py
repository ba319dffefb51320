"""Negative running balances: per account and asset, the first moment the ledger's running sum
goes below zero. Exports omit money moved into bots and other internal moves, so this usually
points at a missing deposit, transfer or file rather than at a wrong trade."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb


@dataclass(frozen=True)
class NegativeBalance:
    account: str
    asset: str
    first_at: dt.datetime  # first moment the running sum is below zero
    amount_then: Decimal  # the running sum at that moment
    lowest: Decimal  # the lowest running sum over the whole history

    def as_json(self) -> dict[str, str]:
        return {
            "account": self.account,
            "asset": self.asset,
            "date": self.first_at.date().isoformat(),
            "first_at": self.first_at.isoformat(),
            "amount": _plain(self.amount_then),
            "lowest": _plain(self.lowest),
        }

    def message(self) -> str:
        return (
            f"{self.asset} balance goes negative on {self.first_at:%Y-%m-%d %H:%M:%S} UTC "
            f"({_plain(self.amount_then)}; lowest {_plain(self.lowest)}): a deposit, a transfer "
            "out of a bot or an earlier export is probably missing"
        )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def negative_balances(con: duckdb.DuckDBPyConnection, account: str) -> list[NegativeBalance]:
    """Movements at the same instant are summed together (RANGE frame), so the order of a trade's
    legs inside one second never makes a balance look negative."""
    rows = con.execute(
        """
        WITH running AS (
            SELECT account, asset, occurred_at,
                   SUM(amount) OVER (PARTITION BY account, asset ORDER BY occurred_at) AS total
            FROM ledger WHERE account = ?)
        SELECT account, asset, min(occurred_at) FILTER (WHERE total < 0),
               arg_min(total, occurred_at) FILTER (WHERE total < 0), min(total)
        FROM running GROUP BY account, asset
        HAVING min(total) < 0
        ORDER BY 3, asset
        """,
        [account],
    ).fetchall()
    return [NegativeBalance(a, s, t, Decimal(v), Decimal(lo)) for a, s, t, v, lo in rows]
