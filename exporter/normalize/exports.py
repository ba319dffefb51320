"""Candidate transactions from raw export rows: one SELECT per layout, built from its declaration.

The layout's raw rows are pulled out as Arrow, typed by polars (see sources/typed.py for why),
and registered on the connection as `typed_<n>`; the layout's SQL row expressions then run over
them. `prepare` must run on the same connection before the SELECTs are executed."""

from __future__ import annotations

import duckdb
import polars as pl

from exporter.normalize.columns import select_list
from exporter.sources.layout import Layout
from exporter.sources.registry import LAYOUTS
from exporter.sources.typed import precision_lost, typed_columns
from exporter.sql import literal

_PROVENANCE = (
    "raw_id AS _raw_id, account AS _account, family AS _family, layout AS _layout, "
    "row_key AS _row_key, occurrence AS _occurrence, file_sha256 AS _sha, member_name AS _member, "
    "line_no AS _line"
)


def view_name(index: int) -> str:
    return f"typed_rows_{index}"


def _typed_rows(
    con: duckdb.DuckDBPyConnection, layout: Layout, account: str | None
) -> pl.DataFrame:
    account_filter = f"AND account = {literal(account)}" if account is not None else ""
    width = len(layout.columns)
    cells = ", ".join(f"cells[{i + 1}] AS c{i}" for i in range(width))
    raw = pl.from_arrow(
        con.sql(
            f"SELECT {_PROVENANCE}, {cells} FROM raw_export_rows "
            f"WHERE layout = {literal(layout.name)} {account_filter}"
        ).to_arrow_table()
    )
    return raw.select(
        pl.col("^_.*$"),
        precision_lost(layout).alias("_precision_lost"),
        *typed_columns(layout),
    )


def prepare(con: duckdb.DuckDBPyConnection, account: str | None) -> list[str]:
    """Register the typed rows of every layout present; returns the candidate SELECTs."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT layout FROM raw_export_rows"
            + (f" WHERE account = {literal(account)}" if account is not None else "")
        ).fetchall()
    }
    selects = []
    for index, layout in enumerate(LAYOUTS):
        if layout.name not in present:
            continue
        con.register(view_name(index), _typed_rows(con, layout, account).to_arrow())
        selects.append(candidates_sql(layout, view_name(index)))
    return selects


def release(con: duckdb.DuckDBPyConnection) -> None:
    for index in range(len(LAYOUTS)):
        con.unregister(view_name(index))


def candidates_sql(layout: Layout, typed_view: str) -> str:
    reason = (
        f"NULLIF(concat_ws('; ', ({layout.review}), "
        "CASE WHEN r._precision_lost THEN 'a number has more than 18 decimals: stored rounded to 18' END), '')"
    )
    values = dict(layout.maps)
    values |= {
        # Stable across runs: the raw row's identity, never its position in a file.
        "txn_id": "md5(concat_ws('|', r._account, r._family, r._row_key, r._occurrence::VARCHAR))",
        "account": "r._account",
        "source": "'export'",
        "source_family": "r._family",
        "layout": "r._layout",
        "raw_id": "r._raw_id",
        "file_sha256": "r._sha",
        "member_name": "r._member",
        "line_no": "r._line",
        "review_reason": reason,
        "needs_review": f"{reason} IS NOT NULL",
    }
    return f"SELECT\n    {select_list(values)}\nFROM {typed_view} r"
