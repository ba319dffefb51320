"""Rows whose header nobody has documented, kept whole and flagged, never booked.

`structured-products.csv` (Dual Investment and the like) has never been seen with rows, so any
header is accepted for a file of that name; a workbook tab whose header matches no layout is kept
the same way. Each row is stored as one cell, "header=value; ...", so nothing is lost.
"""

from __future__ import annotations

from exporter.sources.layout import Layout
from exporter.sources.partial import ROW_COLUMN

# The first date-time in the row, if any; else the epoch (flagged), since every event needs a time.
_AT = (
    "coalesce(try_strptime(regexp_extract(r.row_text, '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}'), "
    "'%Y-%m-%d %H:%M:%S')::TIMESTAMP, TIMESTAMP '1970-01-01 00:00:00')"
)


def _layout(name: str, family: str, what: str) -> Layout:
    return Layout(
        name=name,
        family=family,
        columns=(ROW_COLUMN,),
        maps={"occurred_at": _AT, "kind": "'unclassified'", "description": "r.row_text"},
        review=f"'{what} is not understood by this version: kept, not booked (' || "
        "coalesce(r.row_text, '') || ')'",
        notes=f"{what}: any header, every row kept as labelled text and flagged.",
    )


STRUCTURED_PRODUCTS_UNKNOWN = _layout(
    "structured-products.unknown", "structured-products", "a structured-products.csv row"
)
UNKNOWN_TAB = _layout("xlsx-tab.unknown", "xlsx-tab", "a workbook tab with an unknown header")

LAYOUTS = (STRUCTURED_PRODUCTS_UNKNOWN, UNKNOWN_TAB)
