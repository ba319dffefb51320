"""What the import report says after the numbers: why rows need review (with counts), which view
of doubly-described events was booked, and where a running balance goes negative."""

from __future__ import annotations

import duckdb

from exporter.normalize.balance_days import negative_balances
from exporter.normalize.views import choices

MAX_REASONS = 12


def review_reasons(con: duckdb.DuckDBPyConnection, account: str) -> list[tuple[str, int]]:
    """(reason, rows) for the account's transactions that need review, most frequent first."""
    return con.execute(
        "SELECT review_reason, count(*) FROM transactions WHERE account = ? AND needs_review "
        "GROUP BY review_reason ORDER BY count(*) DESC, review_reason",
        [account],
    ).fetchall()


def import_notes(con: duckdb.DuckDBPyConnection, account: str) -> list[str]:
    lines: list[str] = []
    reasons = review_reasons(con, account)
    if reasons:
        lines.append("needs review, by reason:")
        lines += [f"  {count:>7}  {reason}" for reason, count in reasons[:MAX_REASONS]]
        if len(reasons) > MAX_REASONS:
            rest = sum(count for _, count in reasons[MAX_REASONS:])
            lines.append(f"  {rest:>7}  ({len(reasons) - MAX_REASONS} more reasons)")
    recorded = choices(con, account)
    if recorded:
        lines.append("events described by two files, booked once (table view_choices):")
        for rule, kept, not_booked, first_at, last_at, rows, _detail in recorded:
            span = f"{first_at:%Y-%m-%d}..{last_at:%Y-%m-%d}"
            lines.append(f"  {rows:>7}  {rule}: booked {kept}, not {not_booked} ({span})")
    lines += [n.warning() for n in negative_balances(con, account)]
    return lines
