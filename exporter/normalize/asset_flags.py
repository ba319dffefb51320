"""Flag every transaction that names an asset outside the ticker pattern (sources/tickers.py).

The readers refuse a coin or symbol cell that is not a ticker, but an asset can reach the ledger
by other roads: an API reply (a fill's `symbol` or `feeCoin`), a coin left over once a glued
network is stripped, rows a version without the check stored. Such a row is booked as its
source says and flagged, so no new asset enters the ledger unseen.

A derive step (normalize/pipeline.py runs it after the dedupe steps).
"""

from __future__ import annotations

import duckdb

from exporter.sources.tickers import implausible_asset_sql
from exporter.store.db import run

_ASSET_COLUMNS = ("base_asset", "quote_asset", "fee_asset")


def flag_implausible_assets(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    # The pattern runs once per distinct asset (a handful), not once per row.
    assets = " UNION ALL ".join(
        f"SELECT {c} AS asset FROM transactions WHERE {scope} GROUP BY {c}" for c in _ASSET_COLUMNS
    )
    bad = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT asset FROM ({assets}) "
            f"WHERE asset IS NOT NULL AND {implausible_asset_sql('asset')} ORDER BY asset"
        ).fetchall()
    ]
    if not bad:
        return
    run(con, "CREATE OR REPLACE TEMP TABLE implausible_assets (asset VARCHAR)")
    con.executemany("INSERT INTO implausible_assets VALUES (?)", [[a] for a in bad])
    named = " OR ".join(f"{c} IN (SELECT asset FROM implausible_assets)" for c in _ASSET_COLUMNS)
    first_bad = (
        "coalesce("
        + ", ".join(
            f"CASE WHEN {c} IN (SELECT asset FROM implausible_assets) THEN {c} END"
            for c in _ASSET_COLUMNS
        )
        + ")"
    )
    reason = (
        f"'asset ' || {first_bad} || ' is not a plausible coin ticker: booked as the source says'"
    )
    run(
        con,
        f"""UPDATE transactions
            SET needs_review = TRUE,
                review_reason = concat_ws('; ', review_reason, {reason})
            WHERE {scope} AND ({named})""",
    )
    run(con, "DROP TABLE implausible_assets")
