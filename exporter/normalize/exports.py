"""Candidate transactions from raw export rows: one SELECT per layout, built from its declaration."""

from __future__ import annotations

from exporter.normalize.columns import select_list
from exporter.sources.layout import Layout, precision_lost_expr, typed_expr
from exporter.sources.registry import LAYOUTS
from exporter.sql import literal


def typed_rows_sql(layout: Layout, account_filter: str) -> str:
    """The layout's raw rows with each cell typed under its alias, plus provenance as _columns."""
    typed = ",\n        ".join(
        f"{typed_expr(column, i)} AS {column.name}" for i, column in enumerate(layout.columns)
    )
    return f"""
    SELECT raw_id AS _raw_id, account AS _account, family AS _family, layout AS _layout,
        row_key AS _row_key, occurrence AS _occurrence, file_sha256 AS _sha, member_name AS _member,
        line_no AS _line, ({precision_lost_expr(layout)}) AS _precision_lost,
        {typed}
    FROM raw_export_rows
    WHERE layout = {literal(layout.name)} {account_filter}"""


def candidates_sql(layout: Layout, account: str | None) -> str:
    account_filter = f"AND account = {literal(account)}" if account is not None else ""
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
    return f"SELECT\n    {select_list(values)}\nFROM ({typed_rows_sql(layout, account_filter)}) r"


def export_candidates(account: str | None) -> list[str]:
    return [candidates_sql(layout, account) for layout in LAYOUTS]
