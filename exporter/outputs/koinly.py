"""Koinly's Universal CSV template (export-formats.md B.2).

Dates are UTC with an explicit ` UTC` suffix (Koinly's own examples), amounts positive plain
decimals, direction by column. Trades, deposits and withdrawals carry no label (Koinly matches
transfers itself); income, expenses and futures results carry Koinly's labels. The fee is written
once, in the fee columns. Net Worth is the transaction's USD value (outputs/values.py), blank where
it has none: Koinly then prices the row itself.
"""

from __future__ import annotations

from exporter.outputs.common import Selection, plain_decimal, safe_text
from exporter.outputs.flows import ORDER_BY, flows_sql, label_sql
from exporter.outputs.values import USD_AMOUNT, USD_CURRENCY, VALUE_JOIN

HEADER = (
    "Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,Fee Currency,"
    "Net Worth Amount,Net Worth Currency,Label,Description,TxHash"
)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S UTC"

# (kind, subkind or None for any) -> Koinly label; kinds not listed get no label.
LABELS: dict[tuple[str, str | None], str] = {
    ("income", "claimed_profit"): "reward",
    ("income", "FundingFee"): "realized gain",
    ("income", None): "income",
    ("expense", "FundingFee"): "margin fee",
    ("expense", None): "cost",
    ("futures_profit", None): "realized gain",
    ("futures_loss", None): "realized gain",
}


def rows_sql(selection: Selection) -> str:
    """One Koinly row per booked transaction, in time order."""
    return f"""
    SELECT strftime(occurred_at, '{DATE_FORMAT}') AS "Date",
        {plain_decimal("sent_amount")} AS "Sent Amount",
        {safe_text("sent_asset")} AS "Sent Currency",
        {plain_decimal("received_amount")} AS "Received Amount",
        {safe_text("received_asset")} AS "Received Currency",
        {plain_decimal("fee_amount")} AS "Fee Amount",
        {safe_text("fee_asset")} AS "Fee Currency",
        {USD_AMOUNT} AS "Net Worth Amount",
        {USD_CURRENCY} AS "Net Worth Currency",
        {label_sql(LABELS)} AS "Label",
        {safe_text("note")} AS "Description",
        {safe_text("tx_hash")} AS "TxHash"
    FROM ({flows_sql(selection)}) AS flows {VALUE_JOIN}
    ORDER BY {ORDER_BY}
    """
