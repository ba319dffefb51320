"""What the dedupe steps share: a cheap test on the rows being derived (the temp view `candidates`,
which `pipeline.rebuild_transactions` creates over the rows of the rebuilt scope)."""

from __future__ import annotations

import duckdb


def any_candidate(con: duckdb.DuckDBPyConnection, where: str) -> bool:
    """True when some row of `candidates` meets `where`: a rule with nothing to act on is
    skipped instead of scanning a million trades (0.7 s for trading-over-raw-details alone)."""
    return bool(con.execute(f"SELECT 1 FROM candidates WHERE {where} LIMIT 1").fetchall())
