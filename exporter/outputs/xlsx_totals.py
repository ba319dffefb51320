"""The workbook of a large period (issue 20): totals a person reads instead of a million rows.

Past DETAIL_THRESHOLD transactions in the selected period the workbook leaves out the row-by-row
sheets (`Transactions`, `Trades`, `Futures`, `Other`): a 5M-row history took ~19 minutes and
gave sheets nobody can open in Excel. It keeps the Summary, the totals below, the rows a person
checks one by one (`Deposits & withdrawals`, `Income & expenses`, `Needs review`) and `Bots`;
the Summary names the commands that write every booked transaction (Parquet, CoinLedger CSV,
or this workbook with `--full`).

Each totals sheet is the ledger summed per key and asset: In (credits), Out (debits), Fees and
Net = In - Out - Fees, as numbers and as exact text with every digit, like the Summary's table.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from exporter.outputs.common import Selection

DETAIL_THRESHOLD = 200_000
# The per-kind detail sheets a totals workbook still writes row by row: few rows, each one a
# person checks (money in and out of the account, income to declare).
KEPT_DETAIL = ("Deposits & withdrawals", "Income & expenses")


# Temporary tables (in memory, gone with the connection; a read-only database allows them):
# the ledger summed per month, pair, bot and asset in one scan (a few thousand rows, which each
# totals sheet adds up further, exactly), and the kept detail sheets' rows with their value.
TOTALS_TABLE = "temp.pionex_xlsx_totals"
DETAIL_TABLE = "temp.pionex_xlsx_detail"


@dataclass(frozen=True)
class Totals:
    """One totals sheet: TOTALS_TABLE added up per `keys` and asset."""

    name: str
    keys: tuple[tuple[str, str], ...]  # (header, column of TOTALS_TABLE)
    only: str = "TRUE"  # which of its rows count


TOTALS = (
    Totals("Monthly by asset", (("Month (UTC)", "month"),)),
    # trades and futures results carry their pair; deposits, income, ... have none
    Totals("Per pair", (("Pair", "pair"),), "pair IS NOT NULL"),
    Totals("Per bot", (("Bot", "bot"), ("Pair", "pair")), "bot IS NOT NULL"),
)
FIGURES = ("In", "Out", "Fees", "Net")


def _create_totals(con: duckdb.DuckDBPyConnection, selection: Selection) -> None:
    """The sums every totals sheet adds up, from one scan of the ledger (a 5M-row history: ~15M
    movements, joined to their transactions for the pair and bot). GROUPING SETS was slower."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {TOTALS_TABLE} AS
        SELECT strftime(l.occurred_at, '%Y-%m') AS month, t.symbol AS pair, t.strategy AS bot,
            l.asset AS asset,
            coalesce(sum(l.amount) FILTER (WHERE l.leg <> 'fee' AND l.amount > 0), 0) AS f_in,
            coalesce(-sum(l.amount) FILTER (WHERE l.leg <> 'fee' AND l.amount < 0), 0) AS f_out,
            coalesce(-sum(l.amount) FILTER (WHERE l.leg = 'fee'), 0) AS f_fees,
            sum(l.amount) AS f_net, count(*) AS movements
        FROM ledger l JOIN transactions t USING (account, txn_id)
        WHERE {selection.where("l")}
        GROUP BY month, pair, bot, asset""")


@contextmanager
def totals_tables(
    con: duckdb.DuckDBPyConnection, selection: Selection, detail_source: str
) -> Iterator[str]:
    """Fill the two temporary tables, and drop them when the sheets are written. Yields the
    kept detail sheets' source: a SELECT ending in a WHERE clause, as the sheets extend it, over
    the rows `detail_source` selects (with their value)."""
    try:
        _create_totals(con, selection)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {DETAIL_TABLE} AS {detail_source}")
        yield f"SELECT * FROM {DETAIL_TABLE} WHERE TRUE"
    finally:
        con.execute(f"DROP TABLE IF EXISTS {TOTALS_TABLE}")
        con.execute(f"DROP TABLE IF EXISTS {DETAIL_TABLE}")


def source_sql(totals: Totals) -> str:
    """SQL: the sheet's rows: keys k0, k1, ..., asset, the four sums and the movement count."""
    keys = ", ".join(f"{column} AS k{i}" for i, (_header, column) in enumerate(totals.keys))
    groups = ", ".join(str(i + 1) for i in range(len(totals.keys) + 1))
    return (
        f"SELECT {keys}, asset, sum(f_in) AS f_in, sum(f_out) AS f_out, sum(f_fees) AS f_fees, "
        f"sum(f_net) AS f_net, sum(movements) AS movements "
        f"FROM {TOTALS_TABLE} WHERE {totals.only} GROUP BY {groups}"
    )


def order_sql(totals: Totals) -> str:
    return ", ".join([*(f"k{i}" for i in range(len(totals.keys))), "asset"])


def workbook_is_totals(transactions: int, threshold: int, full: bool) -> bool:
    return not full and transactions > threshold


def _selection_options(selection: Selection) -> str:
    """The command-line options that select the same period and account."""
    options: list[str] = []
    start, end = selection.date_from, selection.date_to
    if (
        start
        and end
        and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        and (start.year == end.year)
    ):
        options += ["--year", str(start.year)]
    else:
        if start:
            options += ["--from", start.isoformat()]
        if end:
            options += ["--to", end.isoformat()]
    options += ["--account", selection.account] if selection.account else ["--all-accounts"]
    return shlex.join(options)


def detail_notes(path: Path, selection: Selection, transactions: int, threshold: int) -> list[str]:
    """The Summary's lines that say what is left out and which commands write all of it."""
    options = _selection_options(selection)
    parquet, csv = path.with_suffix(".parquet"), path.with_suffix(".coinledger.csv")
    kept = ", ".join([t.name for t in TOTALS] + [*KEPT_DETAIL, "Needs review"])
    return [
        f"Detail not listed here: this period has {transactions:,} transactions, more than the "
        f"{threshold:,} this workbook lists row by row (past that Excel cannot work with the "
        f"sheets). It holds the totals and the rows to check one by one: {kept}.",
        "Every booked transaction, with every digit, is in the file this writes: "
        f"pionex-export export parquet -o {shlex.quote(str(parquet))} {options}",
        f"or as a CSV: pionex-export export coinledger -o {shlex.quote(str(csv))} {options}",
        "or in this workbook, row by row (slow, and too large for Excel past a million rows): "
        f"pionex-export export xlsx --full -o {shlex.quote(str(path))} {options}",
    ]
