"""BittyTax transaction records (the `bittytax` accounting tool's CSV input).

Header as BittyTax writes it with its default local currency (GBP); the three "Value in GBP"
columns stay blank so BittyTax prices each row itself. Timestamps are text
`YYYY-MM-DDTHH:MM:SS UTC`. Quantities follow BittyTax's rules, which match our ledger: the buy
quantity is gross, the sell quantity excludes the fee, and the fee is its own column, deducted
once. Futures results and funding use the Margin-Gain / Margin-Loss / Margin-Fee types (BittyTax
2023 and later).
"""

from __future__ import annotations

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.flows import ORDER_BY, flows_sql, label_sql

LOCAL_CURRENCY = "GBP"
HEADER = (
    f"Type,Buy Quantity,Buy Asset,Buy Value in {LOCAL_CURRENCY},Sell Quantity,Sell Asset,"
    f"Sell Value in {LOCAL_CURRENCY},Fee Quantity,Fee Asset,Fee Value in {LOCAL_CURRENCY},"
    "Wallet,Timestamp,Note"
)
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S UTC"
WALLET = "Pionex"

TYPES: dict[tuple[str, str | None], str] = {
    ("trade", None): "Trade",
    ("deposit", None): "Deposit",
    ("withdrawal", None): "Withdrawal",
    ("income", "claimed_profit"): "Staking",
    ("income", "FundingFee"): "Margin-Gain",
    ("income", None): "Income",
    ("expense", "FundingFee"): "Margin-Fee",
    ("expense", None): "Spend",
    ("futures_profit", None): "Margin-Gain",
    ("futures_loss", None): "Margin-Loss",
}


def rows_sql(selection: Selection) -> str:
    """One BittyTax record per booked transaction, in time order."""
    return f"""
    SELECT {label_sql(TYPES)} AS "Type",
        {plain_decimal("received_amount")} AS "Buy Quantity",
        {safe_text("received_asset")} AS "Buy Asset",
        NULL AS "Buy Value in {LOCAL_CURRENCY}",
        {plain_decimal("sent_amount")} AS "Sell Quantity",
        {safe_text("sent_asset")} AS "Sell Asset",
        NULL AS "Sell Value in {LOCAL_CURRENCY}",
        {plain_decimal("fee_amount")} AS "Fee Quantity",
        {safe_text("fee_asset")} AS "Fee Asset",
        NULL AS "Fee Value in {LOCAL_CURRENCY}",
        '{WALLET}' AS "Wallet",
        strftime(occurred_at, '{DATE_FORMAT}') AS "Timestamp",
        {safe_text("note")} AS "Note"
    FROM ({flows_sql(selection)}) AS flows
    ORDER BY {ORDER_BY}
    """
