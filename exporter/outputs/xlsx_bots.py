"""The workbook's `Bots` sheet: each bot's investment, profit and fees as the API reports them,
from the same figures (and the same spec fields, `reports.bots.FIELDS`) as `pionex-export bots`.

Figures are number cells for sorting and summing; `Figures (exact)` holds every one with all its
digits and the `buOrderData` field it was read from, like the workbook's other `(exact)` columns.
"""

from __future__ import annotations

from typing import Any

import duckdb

from exporter.outputs.common import Selection
from exporter.reports.bots import FIELDS, BotFields, BotRow, load_bots

# (header, BotRow attribute = BotFields attribute naming its source field)
FIGURES = (
    ("Investment", "investment"),
    ("Base investment", "base_investment"),
    ("Profit", "profit"),
    ("Grid profit", "grid_profit"),
    ("Profit withdrawn", "profit_withdrawn"),
    ("Profit exited", "profit_exited"),
    ("Funding fee", "funding_fee"),
)
HEADERS = (
    "Account",
    "Bot",
    "Type",
    "Pair",
    "Status",
    "Created",
    "Closed",
    "Quote",
    *(h for h, _ in FIGURES),
    "Fees",
    "Figures (exact)",
)


def _exact(bot: BotRow, shown: dict[str, Any]) -> str:
    """Every figure with all its digits (as `bots --json` shows it) and its source field."""
    fields = FIELDS.get(bot.bot_type, BotFields())
    return "; ".join(
        f"{name}={shown[name]} ({getattr(fields, name)})"
        for _header, name in FIGURES
        if shown[name] is not None
    )


def _accounts(con: duckdb.DuckDBPyConnection, selection: Selection) -> list[str]:
    if selection.account:
        return [selection.account]
    rows = con.execute("SELECT DISTINCT account FROM api_bots ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def write_bots_sheet(w: Any, con: duckdb.DuckDBPyConnection, selection: Selection) -> None:
    """Add `Bots` to the workbook writer `w` when the selection's accounts have bots."""
    rows = [
        (account, bot) for account in _accounts(con, selection) for bot in load_bots(con, account)
    ]
    if not rows:
        return
    sheet = w.book.add_worksheet("Bots")
    w.sheets.append("Bots")
    sheet.write_row(0, 0, HEADERS, w.header)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 4, 14)
    sheet.set_column(5, 6, 20)
    sheet.set_column(8, 8 + len(FIGURES) - 1, 16)
    sheet.set_column(8 + len(FIGURES), 9 + len(FIGURES), 40)
    for row, (account, bot) in enumerate(rows, start=1):
        for col, value in enumerate(
            (account, bot.bot_id, bot.bot_type, bot.symbol, bot.status or "")
        ):
            sheet.write_string(row, col, value)
        for col, moment in ((5, bot.created), (6, bot.closed)):
            if moment is not None:
                sheet.write_datetime(row, col, moment, w.date)
        sheet.write_string(row, 7, bot.quote or "")
        for col, (_header, name) in enumerate(FIGURES, start=8):
            value = getattr(bot, name)
            if value is not None:
                sheet.write_number(row, col, float(value), w.amount)
        shown = bot.as_json()
        fees = ", ".join(f"{amount} {coin}" for coin, amount in shown["fees"].items())
        sheet.write_string(row, 8 + len(FIGURES), fees)
        sheet.write_string(row, 9 + len(FIGURES), _exact(bot, shown))
    sheet.autofilter(0, 0, len(rows), len(HEADERS) - 1)
