"""The Excel workbook: a history a person can read without docs.

Sheets: `Summary` (period, per-asset in/out/fees/net, counts per kind, needs-review count, monthly
trading volume and fees with a chart), `Transactions` (every transaction), one sheet per family
of kinds (`Trades`, `Deposits & withdrawals`, `Income & expenses`, `Futures`), and `Needs
review` (every flagged row with its reason and origin), and `Bots` (each bot's investment, profit
and fees from the API, see `xlsx_bots`). A sheet that would pass Excel's
1,048,576 rows continues on `Transactions (2)`, ...

A period of more than DETAIL_THRESHOLD (200,000) transactions gets the totals workbook instead
(`outputs/xlsx_totals.py`): Summary, `Monthly by asset`, `Per pair`, `Per bot`, `Deposits &
withdrawals`, `Income & expenses`, `Needs review` and `Bots`, the Summary naming the commands that
write every booked transaction; `full=True` (`--full`) writes every row whatever the size.

Exactness: Excel stores numbers as binary floats (about 15 significant digits), so an amount
like 123456789012345678.5 or 0.000000000000000001 + 5000 cannot be held exactly in a number
cell. Amount cells are real numbers (sortable, summable, formatted), and every amount also has an
`(exact)` text column holding all its digits; the Summary says to use those when a figure must be
exact. Nothing is silently rounded: the exact figure is always one column away.

Printing: every sheet landscape, one page wide, header row repeated, table sheets up to their
`Needs review` column (PRINTED_THROUGH); the Summary's monthly table and chart start page 2.

Dates are real Excel date-times (UTC). Headers are frozen with filter buttons; provenance (source,
file, line, API reference, hashes, ids) sits in the right-most columns. `fast=True` (`--fast`)
skips the per-kind sheets and the column-width scan for very large histories.

Writer choice, measured (200,000 rows x 16 columns, dates + 4 formatted number columns, 2-core
machine under load): openpyxl write-only with per-cell styles 188 s, XlsxWriter
constant_memory with column formats 86 s: XlsxWriter is about 2.2x faster for the same
output (column-level formats cost nothing per cell), and has native combined charts.
Whole export of 100,000 transactions (same machine, load ~12): 60 s CPU, 29 MB; --fast 31 s
CPU, 15 MB. Profiled: the time is XlsxWriter building cell XML, not the queries.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from xlsxwriter.utility import xl_col_to_name

from exporter.errors import UserError
from exporter.outputs.common import Selection, atomic_output, safe_text
from exporter.outputs.flows import ORDER_BY
from exporter.outputs.values import VALUE_JOIN
from exporter.outputs.xlsx_bots import write_bots_sheet
from exporter.outputs.xlsx_totals import (
    DETAIL_THRESHOLD,
    FIGURES,
    KEPT_DETAIL,
    TOTALS,
    Totals,
    detail_notes,
    order_sql,
    source_sql,
    totals_tables,
    workbook_is_totals,
)
from exporter.pionex.usd_source import usd_source_note

EXCEL_MAX_ROWS = 1_048_576
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
AMOUNT_FORMAT = "#,##0.00##########"
MAX_WIDTH = 60


def _exact(column: str) -> str:
    """SQL: a DECIMAL as all its digits, trailing zeros trimmed (DECIMAL prints 18 decimals)."""
    return f"rtrim(rtrim({column}::VARCHAR, '0'), '.')"


@dataclass(frozen=True)
class Column:
    header: str
    sql: str
    kind: str = "text"  # text | date | amount | int


def _amount(header: str, column: str) -> Column:
    return Column(header, f"CAST({column} AS DOUBLE)", "amount")


TRANSACTION_COLUMNS = (
    Column("Date (UTC)", "occurred_at", "date"),
    Column("Kind", "kind"),
    Column("Subkind", "subkind"),
    Column("Symbol", "symbol"),
    Column("Side", "side"),
    Column("Base asset", "base_asset"),
    _amount("Base amount", "base_amount"),
    Column("Quote asset", "quote_asset"),
    _amount("Quote amount", "quote_amount"),
    _amount("Price", "price"),
    Column("Fee asset", "fee_asset"),
    _amount("Fee amount", "fee_amount"),
    _amount("Value (USD)", "value_usd"),
    Column("Needs review", "CASE WHEN needs_review THEN 'yes' END"),
    Column("Review reason", "review_reason"),
    Column("Description", "description"),
    Column("Strategy", "strategy"),
    Column("Network", "network"),
    Column("Tx hash", "tx_hash"),
    Column("Base amount (exact)", _exact("base_amount")),
    Column("Quote amount (exact)", _exact("quote_amount")),
    Column("Price (exact)", _exact("price")),
    Column("Fee amount (exact)", _exact("fee_amount")),
    Column("Value (USD, exact)", _exact("value_usd")),
    Column("Account", "account"),
    Column("Source", "source"),
    Column("Source family", "source_family"),
    Column("Layout", "layout"),
    Column("File", "member_name"),
    Column("Line", "line_no", "int"),
    Column("API ref", "api_ref"),
    Column("File SHA-256", "file_sha256"),
    Column("Raw id", "raw_id", "int"),
    Column("Txn id", "txn_id"),
)
REVIEW_COLUMNS = (
    Column("Date (UTC)", "occurred_at", "date"),
    Column("Kind", "kind"),
    Column("Subkind", "subkind"),
    Column("Symbol", "symbol"),
    Column("Asset", "base_asset"),
    _amount("Amount", "base_amount"),
    Column("Amount (exact)", _exact("base_amount")),
    Column("Reason", "review_reason"),
    Column("Origin", "coalesce(member_name || ' line ' || line_no, api_ref)"),
    Column("Account", "account"),
    Column("File SHA-256", "file_sha256"),
    Column("Txn id", "txn_id"),
)


def totals_columns(totals: Totals) -> tuple[Column, ...]:
    """A totals sheet's columns (outputs/xlsx_totals.py): keys, asset, sums as numbers and text."""
    keys = tuple(Column(header, f"k{i}") for i, (header, _sql) in enumerate(totals.keys))
    sums = ("f_in", "f_out", "f_fees", "f_net")
    return (
        *keys,
        Column("Asset", "asset"),
        *(_amount(name, column) for name, column in zip(FIGURES, sums, strict=True)),
        Column("Movements", "movements", "int"),
        *(
            Column(f"{name} (exact)", _exact(column))
            for name, column in zip(FIGURES, sums, strict=True)
        ),
    )


# On paper, a sheet shows its columns up to this one: what happened and whether it needs review.
# All 32 columns on one page wide print at ~2 pt; these 13 print near full size. The exact
# digits and the provenance stay on screen (and in the CSV exports).
PRINTED_THROUGH = {TRANSACTION_COLUMNS: "Needs review", REVIEW_COLUMNS: "Origin"}
# Sheet name -> kinds it holds.
KIND_SHEETS = {
    "Trades": ("trade",),
    "Deposits & withdrawals": ("deposit", "withdrawal"),
    "Income & expenses": ("income", "expense"),
    "Futures": ("futures_fill", "futures_profit", "futures_loss"),
    "Other": (),  # every other kind: transfers, staking accruals, unclassified, ...
}
# Summary layout: the exact net's column (after a narrow gap), and the rows the chart covers.
EXACT_NET_COLUMN = 9
CHART_ROWS = 18
NOTES = (
    "All times are UTC.",
    "Amount cells are Excel numbers (about 15 significant digits). The '(exact)' columns hold "
    "every digit as text: use them when a figure must be exact.",
    # pandas' read_excel turns numeric-looking text into float64 unless a column's dtype is given.
    "pandas reads the '(exact)' text as floats (digits lost) unless told otherwise: read those "
    "columns as text, e.g. pd.read_excel(FILE, sheet_name='{rows_sheet}', "
    "dtype={'Base amount (exact)': str}), then decimal.Decimal(text) for each non-empty cell.",
    "Per asset: In = received (trades, deposits, income, futures profit); Out = sent; Fees = "
    "fees paid; Net = In - Out - Fees, the holding this history explains.",
    "Futures fills, transfers between your own accounts and issued staking profit move no coins: "
    "they are counted per kind but have no In/Out.",
    "Rows marked 'Needs review' are booked as the file states them; see the 'Needs review' sheet.",
    "Printed, each sheet shows its columns up to 'Needs review' (what happened); the exact digits "
    "and where each row came from are in the columns to the right, on screen.",
    "Values are in USD ({usd}): a trade against USDT or USDC at its own "
    "price, anything else at the day's close on Pionex (pionex-export prices). Blank: no price "
    "(pionex-export status says why); never guessed. Net value = Net at the last close stored "
    "on or before the period's end.",
)


@dataclass(frozen=True)
class WorkbookResult:
    path: Path
    transactions: int
    sheets: tuple[str, ...]
    totals_only: bool = False  # past the detail threshold: totals, not every row

    def describe(self) -> str:
        if self.totals_only:
            return (
                f"wrote the totals of {self.transactions} transactions to {self.path} "
                f"(sheets: {', '.join(self.sheets)}); more than the workbook lists row by row: "
                "the Summary names the commands that write every one (or use --full)"
            )
        return (
            f"wrote {self.transactions} transactions to {self.path} "
            f"(sheets: {', '.join(self.sheets)})"
        )


def _sheet_names(base: str, rows: int, per_sheet: int) -> list[str]:
    count = max(1, -(-rows // per_sheet))
    return [base] + [f"{base} ({n})" for n in range(2, count + 1)]


class _Writer:
    """Holds the workbook and its formats; writes SQL results as sheets."""

    def __init__(self, workbook: Any, fast: bool, per_sheet: int) -> None:
        self.book = workbook
        self.fast = fast
        self.per_sheet = per_sheet
        self.sheets: list[str] = []
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": False}
        )
        # over a column of numbers, the header sits right, above the digits it names
        self.number_header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "align": "right"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.month = workbook.add_format({"num_format": "yyyy-mm"})
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.amount = workbook.add_format({"num_format": AMOUNT_FORMAT})
        self.integer = workbook.add_format({"num_format": "0"})
        self.text = workbook.add_format({"num_format": "@"})
        self.provenance = workbook.add_format({"font_color": "#808080"})
        self.exact = workbook.add_format({"font_color": "#595959", "italic": True, "left": 1})
        self.review = workbook.add_format({"bg_color": "#FCE4D6"})

    def _format(self, column: Column) -> Any:
        return {
            "date": self.date,
            "amount": self.amount,
            "int": self.integer,
        }.get(column.kind)

    def _widths(
        self, con: duckdb.DuckDBPyConnection, columns: tuple[Column, ...], source: str
    ) -> list[int]:
        if self.fast:
            return [
                19 if c.kind == "date" else 18 if c.kind == "amount" else max(12, len(c.header) + 2)
                for c in columns
            ]
        lengths = ", ".join(f"max(length(CAST(({c.sql}) AS VARCHAR)))" for c in columns)
        measured = con.execute(f"SELECT {lengths} FROM ({source})").fetchall()[0]
        widths = []
        for column, length in zip(columns, measured, strict=True):
            if column.kind == "date":
                widths.append(21)
            elif column.kind == "amount":
                widths.append(18)
            else:
                widths.append(min(MAX_WIDTH, max(len(column.header), length or 0) + 2))
        return widths

    def table(
        self,
        con: duckdb.DuckDBPyConnection,
        base_name: str,
        columns: tuple[Column, ...],
        source: str,
        order: str,
        provenance_from: str | None = None,
    ) -> int:
        """Write `source` (a SELECT over transactions) as one or more sheets; returns rows."""
        total = int(con.execute(f"SELECT count(*) FROM ({source})").fetchall()[0][0])
        widths = self._widths(con, columns, source)
        names = _sheet_names(base_name, total, self.per_sheet)
        select = ", ".join(f"({_cell_sql(c)}) AS c{i}" for i, c in enumerate(columns))
        cursor = con.execute(f"SELECT {select} FROM ({source}) ORDER BY {order}")
        review_col = next((i for i, c in enumerate(columns) if c.header == "Needs review"), None)
        first_provenance = next(
            (i for i, c in enumerate(columns) if c.header == provenance_from), len(columns)
        )
        batch: list[tuple] = []
        for index, name in enumerate(names):
            rows_here = min(self.per_sheet, total - index * self.per_sheet)
            sheet = self.book.add_worksheet(name)
            self.sheets.append(name)
            for i, (column, width) in enumerate(zip(columns, widths, strict=True)):
                fmt = self._format(column)
                if fmt is None and i >= first_provenance:
                    fmt = self.provenance
                sheet.set_column(i, i, width, fmt)
            sheet.write_row(0, 0, [c.header for c in columns], self.header)
            sheet.freeze_panes(1, 0)
            _for_print(sheet)
            sheet.repeat_rows(0)
            last_printed = PRINTED_THROUGH.get(columns, columns[-1].header)
            printed = [c.header for c in columns].index(last_printed)
            sheet.print_area(0, 0, max(rows_here, 1), printed)
            sheet.autofilter(0, 0, max(rows_here, 1), len(columns) - 1)
            sheet.ignore_errors(
                {"number_stored_as_text": f"A1:{xl_col_to_name(len(columns) - 1)}{EXCEL_MAX_ROWS}"}
            )
            if review_col is not None and rows_here:
                letter = xl_col_to_name(review_col)
                sheet.conditional_format(
                    1,
                    0,
                    rows_here,
                    len(columns) - 1,
                    {"type": "formula", "criteria": f'=${letter}2="yes"', "format": self.review},
                )
            # The typed writer per column, not write_row(): write() works out each cell's type
            # again, ~10% of the whole export (cProfile, 100k rows).
            writers = [_writer(sheet, column) for column in columns]
            written = 0
            while written < rows_here:
                if not batch:
                    batch = cursor.fetchmany(min(50_000, rows_here - written))
                    if not batch:
                        break
                take = batch[: rows_here - written]
                batch = batch[len(take) :]
                for row in take:
                    written += 1
                    for col, (write, value) in enumerate(zip(writers, row, strict=True)):
                        if value is not None:
                            write(written, col, value)
        return total


def _for_print(sheet: Any) -> None:
    """Landscape, one page wide (as many pages tall as it takes), the sheet's name in the footer."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&L&A&RPage &P of &N")


def _writer(sheet: Any, column: Column) -> Any:
    if column.kind == "date":
        return sheet.write_datetime
    if column.kind in ("amount", "int"):
        return sheet.write_number
    return sheet.write_string


def _cell_sql(column: Column) -> str:
    """Text that Excel would run as a formula once a user edits the cell or saves the sheet as
    CSV gets the same leading quote as in the CSV outputs; exact-amount text is a number."""
    if column.kind == "text" and not column.header.endswith("(exact)"):
        return safe_text(f"({column.sql})")
    return column.sql


def _period_end(selection: Selection) -> str:
    """SQL: the last day a Summary value may be priced at (the selection's end, else today)."""
    if selection.date_to is None:
        return "current_date"
    return f"DATE '{selection.date_to.isoformat()}'"


def _summary(
    w: _Writer,
    con: duckdb.DuckDBPyConnection,
    selection: Selection,
    detail: list[str] | None,
) -> None:
    """`detail`: the lines saying where every row is, when the workbook holds only totals."""
    sheet = w.book.add_worksheet("Summary")
    w.sheets.append("Summary")
    where = selection.where()
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 4, 20)
    sheet.set_column(5, 5, 12)
    sheet.set_column(6, 7, 18)
    sheet.set_column(EXACT_NET_COLUMN - 1, EXACT_NET_COLUMN - 1, 3)
    sheet.set_column(EXACT_NET_COLUMN, EXACT_NET_COLUMN, 32)
    _for_print(sheet)
    row = 0
    account = selection.account or "all accounts"
    sheet.write(row, 0, f"Pionex history: {account}", w.title)
    row += 2
    first, last, count, flagged = con.execute(
        "SELECT min(occurred_at), max(occurred_at), count(*), "
        f"count(*) FILTER (WHERE needs_review) FROM transactions WHERE {where}"
    ).fetchall()[0]
    period_from = selection.date_from.isoformat() if selection.date_from else "start of history"
    period_to = selection.date_to.isoformat() if selection.date_to else "end of history"
    facts: list[tuple[str, Any, Any]] = [
        ("Period selected (UTC)", f"{period_from} to {period_to}", None),
        ("First transaction (UTC)", first, w.date),
        ("Last transaction (UTC)", last, w.date),
        ("Transactions", count, None),
        ("Needs review", flagged, None),
    ]
    for label, value, fmt in facts:
        sheet.write(row, 0, label, w.bold)
        if value is None:
            sheet.write(row, 1, "none")
        else:
            sheet.write(row, 1, value, fmt)
        row += 1
    row += 1
    for line in detail or ():
        sheet.write(row, 0, line, w.bold)
        row += 1
    if detail:
        row += 1
    # the pandas advice names a sheet of rows this workbook has
    rows_sheet = "Deposits & withdrawals" if detail else "Transactions"
    usd = usd_source_note(con)
    for note in NOTES:
        sheet.write(row, 0, note.replace("{rows_sheet}", rows_sheet).replace("{usd}", usd))
        row += 1
    row += 1

    sheet.write(row, 0, "Per asset", w.title)
    row += 1
    sheet.write(row, 0, "Asset", w.header)
    sheet.write_row(row, 1, ["In", "Out", "Fees", "Net", "Movements"], w.number_header)
    sheet.write_row(row, 6, ["Net value (USD)", "Close of (UTC day)"], w.header)
    # The exact net stands apart, after a gap and in grey text: it is the figure to copy when
    # exactness matters, not one more column to add up with the numbers beside it.
    sheet.write(row, EXACT_NET_COLUMN, "Net (exact, all digits)", w.header)
    row += 1
    assets = con.execute(
        f"""
        WITH nets AS (
            SELECT asset,
                coalesce(sum(amount) FILTER (WHERE leg <> 'fee' AND amount > 0), 0) AS amount_in,
                coalesce(-sum(amount) FILTER (WHERE leg <> 'fee' AND amount < 0), 0) AS amount_out,
                coalesce(-sum(amount) FILTER (WHERE leg = 'fee'), 0) AS fees,
                sum(amount) AS net, count(*) AS movements
            FROM ledger WHERE {where} GROUP BY asset),
        closes AS (
            SELECT n.asset, arg_max(p.close, p.day) AS close, max(p.day) AS day
            FROM nets n JOIN prices p ON p.asset = n.asset
                AND p.day <= {_period_end(selection)} GROUP BY n.asset),
        -- the USD source (schemas/011_usd_source.sql): USDT at the series' last close in the
        -- period, a close in USDT converted at its own day's; no series: USDT is USD 1
        series AS (
            SELECT EXISTS (SELECT 1 FROM usdt_usd) AS configured, arg_max(close, day) AS close,
                max(day) AS day
            FROM usdt_usd WHERE day <= {_period_end(selection)})
        SELECT {safe_text("n.asset")}, CAST(amount_in AS DOUBLE), CAST(amount_out AS DOUBLE),
            CAST(fees AS DOUBLE), CAST(net AS DOUBLE), {_exact("net")}, movements,
            CAST(CASE WHEN n.asset = 'USDT' AND s.configured THEN amount_in_usd(net, s.close)
                      WHEN n.asset IN (SELECT asset FROM usd_pegged) THEN net
                      ELSE value_in_usd(usd_value(net, c.close),
                                        CASE WHEN s.configured THEN r.close ELSE 1 END)
                 END AS DOUBLE),
            CASE WHEN n.asset = 'USDT' AND s.configured THEN s.day
                 WHEN n.asset NOT IN (SELECT asset FROM usd_pegged) THEN c.day END
        FROM nets n LEFT JOIN closes c USING (asset) CROSS JOIN series s
        LEFT JOIN usdt_usd r ON r.day = c.day ORDER BY 1
        """
    ).fetchall()
    for values in assets:
        sheet.write_string(row, 0, values[0])
        for i in range(1, 5):
            sheet.write_number(row, i, values[i], w.amount)
        sheet.write_number(row, 5, values[6])
        if values[7] is not None:
            sheet.write_number(row, 6, values[7], w.amount)
        if values[8] is not None:
            sheet.write_datetime(row, 7, dt.datetime.combine(values[8], dt.time()), w.day)
        sheet.write_string(row, EXACT_NET_COLUMN, values[5], w.exact)
        row += 1
    row += 1

    sheet.write(row, 0, "Per kind", w.title)
    row += 1
    sheet.write(row, 0, "Kind", w.header)
    sheet.write_row(row, 1, ["Transactions", "Needs review"], w.number_header)
    row += 1
    for kind, n, review in con.execute(
        f"SELECT kind, count(*), count(*) FILTER (WHERE needs_review) FROM transactions "
        f"WHERE {where} GROUP BY kind ORDER BY kind"
    ).fetchall():
        sheet.write_row(row, 0, [kind, n, review])
        row += 1
    row += 1
    # The monthly table and its chart start the second printed page, so the chart is never cut.
    sheet.set_h_pagebreaks([row])
    _monthly(w, sheet, con, where, row)


def _monthly(w: _Writer, sheet: Any, con: duckdb.DuckDBPyConnection, where: str, row: int) -> None:
    quote = con.execute(
        f"SELECT quote_asset FROM transactions WHERE kind = 'trade' AND {where} "
        "GROUP BY quote_asset ORDER BY count(*) DESC, quote_asset LIMIT 1"
    ).fetchall()
    sheet.write(row, 0, "Monthly trading", w.title)
    row += 1
    if not quote:
        sheet.write(row, 0, "no spot trades in this period")
        return
    asset = quote[0][0]
    chart_row = row
    row += CHART_ROWS
    sheet.write(row, 0, "Month", w.header)
    sheet.write_row(
        row, 1, ["Spot trades", f"Volume ({asset})", f"Fees paid ({asset})"], w.number_header
    )
    header_row = row
    row += 1
    months = con.execute(
        f"""
        WITH volume AS (
            SELECT date_trunc('month', occurred_at) AS month, count(*) AS trades,
                   sum(quote_amount) AS volume
            FROM transactions WHERE kind = 'trade' AND quote_asset = ? AND {where} GROUP BY 1
        ), fees AS (
            SELECT date_trunc('month', occurred_at) AS month, -sum(amount) AS fees
            FROM ledger WHERE leg = 'fee' AND asset = ? AND {where} GROUP BY 1
        )
        SELECT coalesce(v.month, f.month)::DATE AS month, coalesce(v.trades, 0),
               CAST(coalesce(v.volume, 0) AS DOUBLE), CAST(coalesce(f.fees, 0) AS DOUBLE)
        FROM volume v FULL JOIN fees f ON v.month = f.month ORDER BY 1
        """,
        [asset, asset],
    ).fetchall()
    for month, trades, volume, fees in months:
        # The month as text: a date column makes the chart a time axis, with a slot for every
        # day and a line drawn straight across the months without trades.
        sheet.write_string(row, 0, month.strftime("%Y-%m"))
        sheet.write_number(row, 1, trades)
        sheet.write_number(row, 2, volume, w.amount)
        sheet.write_number(row, 3, fees, w.amount)
        row += 1
    first, last = header_row + 1, row - 1
    chart = w.book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": ["Summary", header_row, 2],
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, 2, last, 2],
        }
    )
    line = w.book.add_chart({"type": "line"})
    line.add_series(
        {
            "name": ["Summary", header_row, 3],
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, 3, last, 3],
            "y2_axis": True,
            "marker": {"type": "circle"},
        }
    )
    chart.combine(line)
    chart.set_title({"name": f"Monthly spot volume and fees ({asset})"})
    chart.set_x_axis({"name": "Month (months with trades or fees)"})
    chart.set_y_axis({"name": f"Volume ({asset})", "num_format": "#,##0"})
    line.set_y2_axis({"name": f"Fees ({asset})", "num_format": "#,##0.00"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 340})
    sheet.insert_chart(chart_row, 0, chart, {"y_offset": 4})


def write(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    selection: Selection,
    *,
    fast: bool = False,
    full: bool = False,
    detail_threshold: int = DETAIL_THRESHOLD,
    rows_per_sheet: int = EXCEL_MAX_ROWS - 1,
) -> WorkbookResult:
    """Write the workbook; `rows_per_sheet` is Excel's limit minus the header (tests lower it).

    More than `detail_threshold` transactions in the selection give the totals workbook
    (outputs/xlsx_totals.py) unless `full`."""
    try:
        import xlsxwriter
    except ModuleNotFoundError:  # pragma: no cover - a packaging error, not a user's
        raise UserError(
            "the xlsx export needs the XlsxWriter package: pip install XlsxWriter"
        ) from None
    disk_full = False
    try:
        result = _write_book(
            xlsxwriter, con, Path(path), selection, fast, rows_per_sheet, full, detail_threshold
        )
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        disk_full = True
    if disk_full:
        # XlsxWriter's half-written files are still open; once the failure is dropped they are
        # closed by the garbage collector, which fails on the full disk again: quietly, not as
        # a warning on the terminal. Then the full disk is reported, naming the output.
        hook = sys.unraisablehook
        sys.unraisablehook = lambda _unraisable: None
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    return result


def _write_book(
    xlsxwriter: Any,
    con: duckdb.DuckDBPyConnection,
    path: Path,
    selection: Selection,
    fast: bool,
    rows_per_sheet: int,
    full: bool,
    detail_threshold: int,
) -> WorkbookResult:
    where = selection.where()
    count = int(con.execute(f"SELECT count(*) FROM transactions WHERE {where}").fetchall()[0][0])
    totals_only = workbook_is_totals(count, detail_threshold, full)
    # XlsxWriter's part files go to a folder of ours beside the output (the system's temp folder
    # kept 160 MB of them after a disk filled up mid-write); it is removed whatever happens.
    with atomic_output(path) as tmp, _scratch_folder(Path(path)) as scratch:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "tmpdir": str(scratch),
                "constant_memory": True,
                "strings_to_formulas": False,  # data is never run as a formula
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": DATE_FORMAT,
                "use_zip64": True,
            },
        )
        # Fixed metadata (XlsxWriter also fixes the zip entry times): same database, same bytes.
        book.set_properties({"title": "Pionex history", "created": dt.datetime(2000, 1, 1)})
        w = _Writer(book, fast, rows_per_sheet)
        detail = detail_notes(path, selection, count, detail_threshold) if totals_only else None
        _summary(w, con, selection, detail)
        source = f"SELECT * FROM transactions {VALUE_JOIN} WHERE {where}"
        if totals_only:
            _totals_sheets(w, con, selection)
        else:
            w.table(con, "Transactions", TRANSACTION_COLUMNS, source, ORDER_BY, "Account")
            if not fast:
                for name in KIND_SHEETS:
                    _kind_sheet(w, con, name, source)
            _review_sheet(w, con, source)
        write_bots_sheet(w, con, selection)
        book.close()
    return WorkbookResult(Path(path), count, tuple(w.sheets), totals_only)


def _kind_sheet(w: _Writer, con: duckdb.DuckDBPyConnection, name: str, source: str) -> None:
    """The sheet of one family of kinds (KIND_SHEETS), when the selection has such rows."""
    kinds = KIND_SHEETS[name]
    listed = kinds or tuple(k for ks in KIND_SHEETS.values() for k in ks)
    kinds_sql = ", ".join(f"'{k}'" for k in listed)
    subset = f"{source} AND kind {'' if kinds else 'NOT '}IN ({kinds_sql})"
    if con.execute(f"SELECT count(*) FROM ({subset})").fetchall()[0][0]:
        w.table(con, name, TRANSACTION_COLUMNS, subset, ORDER_BY, "Account")


def _review_sheet(w: _Writer, con: duckdb.DuckDBPyConnection, source: str) -> None:
    w.table(con, "Needs review", REVIEW_COLUMNS, f"{source} AND needs_review", ORDER_BY, "Account")


def _totals_sheets(w: _Writer, con: duckdb.DuckDBPyConnection, selection: Selection) -> None:
    """The totals workbook's sheets after its Summary (outputs/xlsx_totals.py)."""
    kept = ", ".join(f"'{k}'" for name in KEPT_DETAIL for k in KIND_SHEETS[name])
    # Only the kept rows are valued: the kind filter inside the join reaches the valuation
    # view's scan (5M rows valued for a few thousand took most of the workbook's time).
    valued = (
        "LEFT JOIN (SELECT account, txn_id, value_usd FROM transaction_values "
        f"WHERE kind IN ({kept})) AS valued USING (account, txn_id)"
    )
    where = selection.where()
    detail_rows = f"SELECT * FROM transactions {valued} WHERE {where} AND kind IN ({kept})"
    with totals_tables(con, selection, detail_rows) as detail:
        for totals in TOTALS:
            w.table(con, totals.name, totals_columns(totals), source_sql(totals), order_sql(totals))
        for name in KEPT_DETAIL:
            _kind_sheet(w, con, name, detail)
    # its columns show no value: no valuation needed
    _review_sheet(w, con, f"SELECT * FROM transactions WHERE {where}")


@contextmanager
def _scratch_folder(path: Path) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:
        yield Path(scratch)
