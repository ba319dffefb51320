"""Negative running balances for `status` and `sync`: the layouts' check (first moment the running
ledger sum of an asset goes below zero) plus how low it gets, which is how much is missing at least.
Exports omit money moved into bots and other internal moves, so this usually points at a missing
deposit, transfer or file rather than at a wrong trade."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from exporter.normalize.balances_check import negative_balances as first_negatives


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
    found = first_negatives(con, account)
    out = [NegativeBalance(n.account, n.asset, n.first_at, n.amount, n.lowest) for n in found]
    return sorted(out, key=lambda n: (n.first_at, n.asset))
