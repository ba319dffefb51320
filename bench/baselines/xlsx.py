"""XlsxWriter in constant_memory mode writing the same cells as the tool's workbook.

For each of the tool's sheets (name and rows x columns read from the tool's file, passed as JSON),
the same columns of the same rows of `transactions`, taken from the tool's own column declarations
(outputs/xlsx.py: the SQL of each cell, so dates are dates, amounts doubles, exact amounts text),
with the same cell styles (in XLSX a cell's style index is part of the cell: a column's number
format or the grey of the provenance columns is written into every cell). What it leaves out is
the tool's own work around the cells: the Summary's figures and chart, widths, filters, header and
the formula guard. A sheet it does not know (Summary) gets cells of the same shape cycled from the
same columns. Each cell goes through the per-type write_* call, as XlsxWriter's write() would.

    python -m bench.baselines.xlsx DB OUT.xlsx SHAPES_JSON
"""

from __future__ import annotations

import json
import sys

import duckdb
import xlsxwriter

from exporter.outputs.values import VALUE_JOIN
from exporter.outputs.xlsx import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    KIND_SHEETS,
    REVIEW_COLUMNS,
    TRANSACTION_COLUMNS,
)

SOURCE = "transactions " + VALUE_JOIN  # the tool's sheets read the value column from there too
EVERY_KIND = ", ".join(f"'{k}'" for kinds in KIND_SHEETS.values() for k in kinds)


def sheet(name: str, width: int) -> tuple[list, str, bool]:
    """The columns, query and whether the columns are styled, for one of the tool's sheets."""
    base = name.split(" (")[0]  # "Transactions (2)": a continuation sheet
    columns, where = TRANSACTION_COLUMNS, "TRUE"
    if base == "Needs review":
        columns, where = REVIEW_COLUMNS, "needs_review"
    elif base in KIND_SHEETS and KIND_SHEETS[base]:
        where = "kind IN (" + ", ".join(f"'{k}'" for k in KIND_SHEETS[base]) + ")"
    elif base in KIND_SHEETS:
        where = f"kind NOT IN ({EVERY_KIND})"
    elif base != "Transactions":
        columns = [TRANSACTION_COLUMNS[i % len(TRANSACTION_COLUMNS)] for i in range(width)]
        return columns, f"SELECT {', '.join(c.sql for c in columns)} FROM {SOURCE}", False
    columns = columns[:width]
    cells = ", ".join(f"({c.sql})" for c in columns)
    return columns, f"SELECT {cells} FROM {SOURCE} WHERE {where} ORDER BY occurred_at", True


def main(db: str, out: str, shapes_json: str) -> None:
    con = duckdb.connect(db, read_only=True)
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": DATE_FORMAT})
    styles = {
        "date": date_fmt,
        "amount": wb.add_format({"num_format": AMOUNT_FORMAT}),
        "int": wb.add_format({"num_format": "0"}),
    }
    provenance = wb.add_format({"font_color": "#808080"})
    for name, rows, width in json.loads(shapes_json):
        ws = wb.add_worksheet(name[:31])
        columns, sql, styled = sheet(name, width)
        if styled:
            first_provenance = next(
                (i for i, c in enumerate(columns) if c.header == "Account"), len(columns)
            )
            for i, c in enumerate(columns):
                style = styles.get(c.kind) or (provenance if i >= first_provenance else None)
                ws.set_column(i, i, None, style)
        _write_rows(ws, con, sql, rows, date_fmt)
    wb.close()


def _write_rows(ws, con: duckdb.DuckDBPyConnection, sql: str, rows: int, date_fmt) -> None:  # type: ignore[no-untyped-def]
    cur = con.execute(sql)
    r = 0
    while r < rows:
        batch = cur.fetchmany(10000)
        if not batch:
            cur = con.execute(sql)  # a sheet of cycled cells: start the rows again
            continue
        for rec in batch[: rows - r]:
            for c, v in enumerate(rec):
                if v is None:
                    continue
                if hasattr(v, "year"):
                    ws.write_datetime(r, c, v, date_fmt)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
            r += 1


if __name__ == "__main__":
    main(*sys.argv[1:4])
