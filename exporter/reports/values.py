"""Rows left without a USD value, per coin and reason, for `status` (the rules: schemas/008_values.sql)."""

from __future__ import annotations

from typing import Any

import duckdb


def unvalued(con: duckdb.DuckDBPyConnection, account: str) -> list[dict[str, Any]]:
    """Per coin and reason: how many transactions have no value, and the first of them."""
    rows = con.execute(
        """
        SELECT t.base_asset, v.unvalued_reason, count(*), min(v.occurred_at)
        FROM transaction_values v JOIN transactions t USING (account, txn_id)
        WHERE v.account = ? AND v.unvalued_reason IS NOT NULL
        GROUP BY ALL ORDER BY 1, 2""",
        [account],
    ).fetchall()
    return [
        {"asset": a, "reason": r, "rows": int(n), "first_at": first.isoformat()}
        for a, r, n, first in rows
    ]


def message(item: dict[str, Any]) -> str:
    return (
        f"{item['rows']} {item['asset']} transaction(s) have no USD value "
        f"({item['reason']}; first {item['first_at'].replace('T', ' ')} UTC)"
    )
