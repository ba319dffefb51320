"""Headers that are only partly known: put a file's columns into its layout's declared order.

A layout with `extra_ok=True` accepts its documented columns in any order, with optional ones
missing, plus columns nobody has documented. Its rows are stored in the declared order (a missing
optional column as ''), and the unknown columns are kept, verbatim and labelled, in one trailing
cell (`EXTRA_COLUMN`) that the layout's review flags. Nothing in the file is lost; nothing is
guessed from a column the layout does not understand.

A file whose header matches nothing but whose name says what it is (`structured-products.csv`,
whose header nobody has published) and a workbook tab with an unknown header are landed as one
labelled cell per row under an `unrecognized` layout: kept and flagged, never booked.
"""

from __future__ import annotations

import polars as pl

from exporter.sources.csv_table import CsvTable
from exporter.sources.layout import Column, Layout

# The last declared column of every extra_ok layout: "header=value; ..." of the unknown columns.
EXTRA_COLUMN = Column("(extra columns)", "extra_columns", required=False)
# The single column of an unrecognized layout: every cell of the row, labelled with its header.
ROW_COLUMN = Column("(row)", "row_text", required=False)


def with_extras(review: str) -> str:
    """A layout's review plus a flag on rows of a file that had undocumented columns."""
    extras = (
        "CASE WHEN r.extra_columns IS NOT NULL THEN "
        "'columns this version does not understand (kept, not used): ' || r.extra_columns END"
    )
    return f"NULLIF(concat_ws('; ', ({review}), {extras}), '')"


def declared(layout: Layout) -> tuple[Column, ...]:
    return tuple(c for c in layout.columns if c is not EXTRA_COLUMN)


def placement(layout: Layout, header: tuple[str, ...]) -> tuple[list[int | None], list[int]] | None:
    """For each declared column, the file column holding it (None: absent); plus the unknown file
    columns. None when a required column is missing."""
    names = [h.strip().lower() for h in header]
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        first.setdefault(name, index)
    sources: list[int | None] = []
    for column in declared(layout):
        index = first.get(column.header.lower())
        if index is None and column.required:
            return None
        sources.append(index)
    used = {i for i in sources if i is not None}
    return sources, [i for i in range(len(header)) if i not in used]


def _label(header: tuple[str, ...], indexes: list[int]) -> pl.Expr:
    parts = [pl.lit(f"{header[i].strip()}=") + pl.col(f"c{i}") for i in indexes]
    return pl.concat_str(parts, separator="; ")


def conform(
    table: CsvTable, layout: Layout, sources: list[int | None], extras: list[int]
) -> CsvTable:
    """The table with its cells in `layout`'s declared order (extras labelled in one last cell)."""
    columns = [
        (pl.col(f"c{src}") if src is not None else pl.lit("")).alias(f"c{i}")
        for i, src in enumerate(sources)
    ]
    header = tuple(c.header for c in declared(layout))
    if extras:
        columns.append(_label(table.header, extras).alias(f"c{len(columns)}"))
        header = (*header, EXTRA_COLUMN.header)
    rows = table.rows.select([*columns, pl.col("line_no")])
    return CsvTable(header, table.header_line, rows)


def as_one_cell(table: CsvTable) -> CsvTable:
    """Every cell of each row labelled with its header, joined into one cell (unrecognized files)."""
    rows = table.rows.select(
        _label(table.header, list(range(table.width))).alias("c0"), pl.col("line_no")
    )
    return CsvTable((ROW_COLUMN.header,), table.header_line, rows)
