"""CoinLedger's Universal Manual Import Template, on the shared mapping of
`outputs/flows.py`.

Trades leave Type blank (CoinLedger infers a trade from both sides being filled); one-sided rows
name their Type. A fee is written once, in the fee columns, never as its own row; a row whose only
movement is a fee sends that fee (flows.py). Kinds that move no coins (futures fills,
stake/unstake, issued staking profit, unclassified rows) are not written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.csvfile import write_query_csv
from exporter.outputs.flows import ORDER_BY, flows_sql, label_sql

HEADER = (
    "Date (UTC),Platform (Optional),Asset Sent,Amount Sent,Asset Received,Amount Received,"
    "Fee Currency (Optional),Fee Amount (Optional),Type,Description (Optional),TxHash (Optional)"
)
PLATFORM = "Pionex"
DATE_FORMAT = "%m/%d/%Y %H:%M:%S"

# (effective kind, subkind or None for any) -> CoinLedger Type; trades get none (blank).
TYPES: dict[tuple[str, str | None], str] = {
    ("deposit", None): "Deposit",
    ("withdrawal", None): "Withdrawal",
    ("income", "claimed_profit"): "Staking",
    ("income", None): "Income",
    ("futures_profit", None): "Income",
    ("expense", "FundingFee"): "Interest Payment",
    ("expense", None): "Investment Loss",
    ("futures_loss", None): "Investment Loss",
}


def rows_sql(selection: Selection) -> str:
    """One CoinLedger row per booked transaction, in time order."""
    return f"""
    SELECT strftime(occurred_at, '{DATE_FORMAT}') AS "Date (UTC)",
        '{PLATFORM}' AS "Platform (Optional)",
        {safe_text("sent_asset")} AS "Asset Sent",
        {plain_decimal("sent_amount")} AS "Amount Sent",
        {safe_text("received_asset")} AS "Asset Received",
        {plain_decimal("received_amount")} AS "Amount Received",
        {safe_text("fee_asset")} AS "Fee Currency (Optional)",
        {plain_decimal("fee_amount")} AS "Fee Amount (Optional)",
        {label_sql(TYPES)} AS "Type",
        {safe_text("note")} AS "Description (Optional)",
        {safe_text("tx_hash")} AS "TxHash (Optional)"
    FROM ({flows_sql(selection)}) AS flows
    ORDER BY {ORDER_BY}
    """


def write(con: duckdb.DuckDBPyConnection, path: Path, selection: Selection) -> int:
    """Write the file; returns the number of rows written."""
    return write_query_csv(con, rows_sql(selection), path).rows
