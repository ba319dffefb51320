"""Koinly's Universal CSV template (sources of each rule beside it).

Dates `YYYY-MM-DD HH:MM:SS` in UTC, the form Koinly documents for its templates; amounts positive
plain decimals, direction by column. Trades, deposits and withdrawals carry no label (Koinly matches
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
# "All date fields must be formatted like this: YYYY-MM-DD HH:mm:ss ... It's best for timestamps
# to be in UTC." Koinly, "How to create a custom CSV file with your data",
# https://support.koinly.io/en/articles/9489976-how-to-create-a-custom-csv-file-with-your-data
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# (kind, subkind or None for any) -> Koinly label; kinds not listed get no label.
LABELS: dict[tuple[str, str | None], str] = {
    # "Reward (used for staking rewards, referral bonuses, etc.)": Koinly, "What are
    # labels/tags", https://support.koinly.io/hc/en-us/articles/9917463555100
    ("income", "claimed_profit"): "reward",
    ("income", "CommissionIn"): "reward",
    # Funding paid or received is "Funding Fee", one of the futures tags whose worth goes to
    # "Other gains" (deposit: gain, withdrawal: loss): Koinly, "Futures and perpetuals PNL
    # (other gains)", https://intercom.help/koinly/en/articles/9490027
    ("income", "FundingFee"): "funding fee",
    ("expense", "FundingFee"): "funding fee",
    # "Income" deposit tag and "Cost" expense tag: Koinly, "What are tags",
    # https://support.koinly.io/en/articles/9490023-what-are-tags
    ("income", None): "income",
    ("expense", None): "cost",
    # "If you are trying to add these transactions using a CSV file then simply use the
    # 'realized gain' tag": Koinly, "Futures and perpetuals (PNL transactions)",
    # https://support.koinly.io/en/articles/9490027-futures-and-perpetuals-pnl-transactions
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
